package dev.connmon.api;

import static dev.connmon.support.Api.LOGS;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static dev.connmon.support.Events.event;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The connection log (docs/api.md §2): newest first, readable messages, time window, Watson device form. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class ConnectionLogResourceTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00.000Z");

    @Test
    void logIsNewestFirstWithReadableMessages() {
        String org = "log" + UUID.randomUUID().toString().substring(0, 6);
        String id = "d:" + org + ":thermo:0042";
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("log-" + UUID.randomUUID());
        List.of(
                        connected(id, T0, "c1"),
                        event("published", id, T0.plusSeconds(1)),
                        disconnected(id, T0.plusSeconds(60), "c1", "server", 0x8D),
                        event("connect_failed", id, T0.plusSeconds(70)).put("reasonCode", 0x86),
                        connected(id, T0.plusSeconds(80), "c2"),
                        disconnected(id, T0.plusSeconds(90), "c2", "client", 0),
                        connected(id, T0.plusSeconds(100), "c3"),
                        disconnected(id, T0.plusSeconds(110), "c3", "network", 0)
                                .put("reasonCode", null))
                .forEach(e -> TestMqtt.publishEvent(publisher, "log", e.encode()));
        publisher.disconnect().join();

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> asReader()
                        .queryParam("clientId", id)
                        .when()
                        .get(LOGS)
                        .then()
                        .statusCode(200)
                        .body("$", hasSize(7)));
        asReader()
                .queryParam("clientId", id)
                .when()
                .get(LOGS)
                .then()
                .body("timestamp[0]", equalTo("2026-11-20T10:01:50.000Z"))
                .body(
                        "message",
                        contains(
                                "Connection lost",
                                "Connected from 192.0.2.10 (MQTT 5.0)",
                                "Disconnected by the client: Normal disconnection (0x00)",
                                "Connected from 192.0.2.10 (MQTT 5.0)",
                                "Connection refused: bad user name or password (0x86)",
                                "Disconnected by the server: Keep Alive timeout (0x8D)",
                                "Connected from 192.0.2.10 (MQTT 5.0)"))
                .body("event[0]", equalTo("disconnected"))
                .body("initiator[0]", equalTo("network"))
                .body("reasonCode[5]", equalTo(141))
                .body("node[6]", equalTo("broker-1"));

        asReader()
                .queryParam("typeId", "thermo")
                .queryParam("deviceId", "0042")
                .queryParam("since", T0.plusSeconds(60).toString())
                .queryParam("until", T0.plusSeconds(100).toEpochMilli())
                .when()
                .get(LOGS)
                .then()
                .statusCode(200)
                .body("event", contains("disconnected", "connected", "connect_failed", "disconnected"));
        asReader()
                .queryParam("clientId", id)
                .queryParam("_limit", 2)
                .when()
                .get(LOGS)
                .then()
                .statusCode(200)
                .body("$", hasSize(2));
    }

    @Test
    void missingOrConflictingClientNamingIs400() {
        asReader()
                .when()
                .get(LOGS)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("title", containsString("typeId"));
        asReader()
                .queryParam("typeId", "x")
                .when()
                .get(LOGS)
                .then()
                .statusCode(400)
                .body("title", containsString("deviceId"));
        asReader()
                .queryParam("clientId", "a")
                .queryParam("typeId", "x")
                .when()
                .get(LOGS)
                .then()
                .statusCode(400)
                .body("title", containsString("clientId"));
        asReader()
                .queryParam("clientId", "a")
                .queryParam("_limit", 1001)
                .when()
                .get(LOGS)
                .then()
                .statusCode(400)
                .body("title", containsString("_limit"));
        asReader()
                .queryParam("clientId", "a")
                .queryParam("since", "soon")
                .when()
                .get(LOGS)
                .then()
                .statusCode(400)
                .body("title", containsString("since"));
    }

    @Test
    void unknownClientHasAnEmptyLog() {
        asReader()
                .queryParam("clientId", "nobody-" + UUID.randomUUID())
                .when()
                .get(LOGS)
                .then()
                .statusCode(200)
                .body("$", hasSize(0));
    }
}
