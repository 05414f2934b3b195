package dev.connmon.state;

import static dev.connmon.support.Api.LOGS;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.state;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.event;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** No ghosts: a stopped broker disconnects its clients; a lost broker session leaves them unconfirmed. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class BrokerGapsTest {
    @Inject
    StateRepository repository;

    private static void publish(JsonObject... events) {
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("gaps-" + UUID.randomUUID());
        for (JsonObject e : events) {
            TestMqtt.publishEvent(publisher, "gaps", e.encode());
        }
        publisher.disconnect().join();
    }

    @Test
    void aStoppedBrokerDisconnectsTheClientsThatWereConnectedThroughIt() {
        String node = "node-" + UUID.randomUUID().toString().substring(0, 8);
        String before = node + "-before";
        String after = node + "-after";
        Instant stop = Instant.parse("2026-11-20T12:00:00Z");
        publish(
                connected(before, stop.minusSeconds(60), "b").put("node", node),
                connected(after, stop.plusSeconds(60), "a").put("node", node));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> state(after).statusCode(200));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> state(before).statusCode(200));

        LifecycleEvent stopped = LifecycleEvent.builder(EventType.BROKER_STOPPED, "", stop)
                .node(node)
                .dialect("mosquitto")
                .build()
                .fromSource("test");
        repository.apply(new IngestBatch(List.of(stopped), List.of())).await().indefinitely();

        state(before)
                .body("connectionStatus", equalTo("disconnected"))
                .body("lastDisconnectInitiator", equalTo("server"))
                .body("lastDisconnectReasonCode", equalTo(0x8B))
                .body("lastDisconnectReason", equalTo("Server shutting down"))
                .body("lastDisconnectTime", equalTo("2026-11-20T12:00:00.000Z"));
        state(after).body("connectionStatus", equalTo("connected"));
        asReader()
                .queryParam("clientId", before)
                .when()
                .get(LOGS)
                .then()
                .body("message", hasItem("Disconnected by the server: Server shutting down (0x8B)"));
    }

    @Test
    void aLostSessionLeavesClientsUnconfirmedUntilTheirNextEvent() {
        String id = "unconfirmed-" + UUID.randomUUID();
        Instant connectedAt = Instant.parse("1999-12-31T23:00:00Z");
        publish(connected(id, connectedAt, "c"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> state(id).statusCode(200));

        Instant lost = Instant.parse("2000-01-01T00:00:00Z");
        repository.markUnconfirmed("default", lost).await().indefinitely();
        state(id)
                .body("connectionStatus", equalTo("connected"))
                .body("unconfirmedSince", equalTo("2000-01-01T00:00:00.000Z"));

        publish(event("published", id, lost.plusSeconds(5)));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> state(id)
                        .body("unconfirmedSince", nullValue())
                        .body("lastActivityEvent", equalTo("mqttPublish")));
    }
}
