package dev.connmon.ingest;

import static dev.connmon.support.Api.state;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static dev.connmon.support.Events.event;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.Stored;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Canonical events (docs/api.md §1) published through a real broker, in any order, twice, or malformed. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class CanonicalIngestTest {
    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00.000Z");

    @Inject
    Pool pool;

    private Mqtt5AsyncClient publisher;

    @BeforeEach
    void connect() {
        publisher = TestMqtt.eventPublisher("publisher-" + UUID.randomUUID());
    }

    @AfterEach
    void disconnect() {
        publisher.disconnect().join();
    }

    private void publish(JsonObject event) {
        TestMqtt.publishEvent(publisher, "test", event.encode());
    }

    private void publishRaw(String payload) {
        TestMqtt.publishEvent(publisher, "test", payload);
    }

    private static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A history with reconnects, a takeover whose disconnect is stamped after the new connect, and activity. */
    private static List<JsonObject> history(String id) {
        return List.of(
                connected(id, T0, "c1"),
                event("published", id, T0.plusMillis(500)).put("topic", "t/1"),
                disconnected(id, T0.plusSeconds(10), "c1", "network", 0x80).put("reason", null),
                connected(id, T0.plusSeconds(20), "c2"),
                event("subscribed", id, T0.plusSeconds(21)),
                connected(id, T0.plusSeconds(30), "c3").put("ipAddress", "192.0.2.30"),
                disconnected(id, T0.plusSeconds(30).plusMillis(3), "c2", "server", 0x8E),
                event("published", id, T0.plusSeconds(31)),
                event("connect_failed", id, T0.plusSeconds(32)).put("reasonCode", 0x86));
    }

    @Test
    void historyInOrderGivesTheNewestState() {
        String id = newId("ordered");
        history(id).forEach(this::publish);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Stored.logRows(pool, id)).hasSize(6));
        state(id)
                .statusCode(200)
                .body("connectionStatus", equalTo("connected"))
                .body("lastConnectTime", equalTo("2026-11-26T06:00:30.000Z"))
                .body("lastDisconnectTime", equalTo("2026-11-26T06:00:30.003Z"))
                .body("lastDisconnectInitiator", equalTo("server"))
                .body("lastDisconnectReasonCode", equalTo(0x8E))
                .body("lastDisconnectReason", equalTo("Session taken over"))
                .body("lastActivityEvent", equalTo("mqttPublish"))
                .body("lastActivityTime", equalTo("2026-11-26T06:00:31.000Z"))
                .body("ipAddress", equalTo("192.0.2.30"))
                .body("node", equalTo("broker-1"))
                .body("unconfirmedSince", nullValue());
    }

    @Test
    void shuffledAndDuplicatedHistoriesGiveTheSameStateAndLog() {
        String reference = newId("reference");
        history(reference).forEach(this::publish);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Stored.logRows(pool, reference)).hasSize(6));
        Map<String, Object> expectedState = Stored.stateWithoutId(reference);
        List<String> expectedLog = Stored.logRows(pool, reference);

        Random random = new Random(42);
        for (int round = 0; round < 8; round++) {
            String id = newId("shuffled");
            List<JsonObject> events = new ArrayList<>(history(id));
            events.addAll(history(id).subList(0, 1 + random.nextInt(history(id).size())));
            Collections.shuffle(events, random);
            events.forEach(this::publish);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Stored.logRows(pool, id)).hasSize(6));
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(Stored.stateWithoutId(id)).isEqualTo(expectedState));
            assertThat(Stored.logRows(pool, id)).isEqualTo(expectedLog);
        }
    }

    @Test
    void lateDisconnectOfAnOldConnectionDoesNotEndTheNewOne() {
        String id = newId("late");
        publish(connected(id, T0.plusSeconds(5), "new"));
        publish(disconnected(id, T0.plusSeconds(6), "old", "server", 0x8E));
        publish(connected(id, T0, "old"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Stored.logRows(pool, id)).hasSize(3));
        state(id)
                .body("connectionStatus", equalTo("connected"))
                .body("lastConnectTime", equalTo("2026-11-26T06:00:05.000Z"));
        publish(disconnected(id, T0.plusSeconds(7), "new", "network", 0x8D));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> state(id).body("connectionStatus", equalTo("disconnected")));
    }

    @Test
    void disconnectBeforeItsConnectStillEndsIt() {
        String id = newId("early");
        publish(disconnected(id, T0.plusSeconds(9), "c9", "client", 0));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Stored.logRows(pool, id)).hasSize(1));
        publish(connected(id, T0.plusSeconds(8), "c9"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Stored.logRows(pool, id)).hasSize(2));
        state(id).body("connectionStatus", equalTo("disconnected"));
    }

    @Test
    void eventsWithoutConnectionIdsAreOrderedByTime() {
        String id = newId("plain");
        publish(event("disconnected", id, T0.plusSeconds(2)).put("initiator", "client"));
        publish(event("connected", id, T0.plusSeconds(1)));
        publish(event("connected", id, T0.plusSeconds(3)));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(Stored.logRows(pool, id)).hasSize(3));
        state(id)
                .body("connectionStatus", equalTo("connected"))
                .body("lastConnectTime", equalTo("2026-11-26T06:00:03.000Z"));
    }

    @Test
    void malformedPayloadsAreCountedKeptAndDoNotStopTheEventsAfterThem() {
        double before = rejectedCount();
        String id = newId("after-garbage");
        publishRaw("{not json");
        publishRaw("[1,2,3]");
        publishRaw(event("exploded", id, T0).encode());
        publishRaw(new JsonObject()
                .put("event", "connected")
                .put("clientId", id)
                .put("time", "yesterday")
                .encode());
        publishRaw(new JsonObject()
                .put("event", "connected")
                .put("clientId", "nul\u0000id")
                .put("time", T0.toString())
                .encode());
        publishRaw(new JsonObject()
                .put("event", "connected")
                .put("clientId", "x".repeat(2000))
                .put("time", T0.toString())
                .encode());
        publishRaw(new JsonObject()
                .put("event", "connected")
                .put("clientId", id)
                .put("time", T0.toString())
                .put("padding", "p".repeat(70_000))
                .encode());
        publish(connected(id, T0, "ok"));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> state(id).statusCode(200).body("connectionStatus", equalTo("connected")));
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(rejectedCount() - before).isEqualTo(7.0));
        List<String> reasons = new ArrayList<>();
        pool.query("SELECT reason FROM rejected_message ORDER BY id DESC LIMIT 7")
                .execute()
                .await()
                .indefinitely()
                .forEach(row -> reasons.add(row.getString("reason")));
        assertThat(reasons)
                .anyMatch(r -> r.startsWith("payload is not valid JSON"))
                .contains(
                        "payload is not a JSON object",
                        "unknown event 'exploded'",
                        "clientId contains U+0000",
                        "clientId is longer than 1024 bytes")
                .anyMatch(r -> r.startsWith("field 'time' is not an ISO 8601 time"))
                .anyMatch(r -> r.contains("exceeds the limit of 65536"));
    }

    @Test
    void anyUtf8ClientIdIsStoredAndFoundByItsEncodedPath() {
        String id = "d:acme:ünïcødé/with spaces+plus#hash%percent " + UUID.randomUUID();
        publish(connected(id, T0, "u1"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> state(id).statusCode(200).body("id", equalTo(id)).body("clientType", equalTo("device")));
    }

    private static double rejectedCount() {
        String metrics = given().when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        return metrics.lines()
                .filter(line -> line.startsWith("connmon_messages_rejected_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
