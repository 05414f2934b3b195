package dev.connmon.state;

import static dev.connmon.support.Api.LOGS;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.state;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a stopped or crashed embedded node means for its clients: exactly the clients of that node whose
 * connect is not after the bound end, by the server with 0x8B, never before their connect; and the heartbeat's probe
 * finds connections of earlier runs.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class NodeSweepTest {
    @Inject
    StateRepository repository;

    @Inject
    NodeHeartbeats heartbeats;

    private static void publish(JsonObject... events) {
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("sweep-" + UUID.randomUUID());
        for (JsonObject e : events) {
            TestMqtt.publishEvent(publisher, "sweep", e.encode());
        }
        publisher.disconnect().join();
        for (JsonObject e : events) {
            if (!"connected".equals(e.getString("event"))) {
                continue;
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> state(e.getString("clientId"))
                            .statusCode(200)
                            .body("connectionStatus", equalTo("connected")));
        }
    }

    @Test
    void aNodesStopEndsItsOwnConnectionsUpToTheBoundAndNoOtherNodes() {
        String node = "node-" + UUID.randomUUID().toString().substring(0, 8);
        String other = node + "-other";
        Instant stop = Instant.parse("2026-11-21T12:00:00Z");
        String before = node + "-before";
        String late = node + "-late";
        String after = node + "-after";
        String elsewhere = node + "-elsewhere";
        String active = node + "-active";
        publish(
                connected(active, stop.minusSeconds(60), "x").put("node", node),
                event("published", active, stop.plusSeconds(5)));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> state(active).body("lastActivityEvent", equalTo("mqttPublish")));
        publish(
                connected(before, stop.minusSeconds(60), "b").put("node", node),
                connected(late, stop.plusSeconds(10), "l").put("node", node),
                connected(after, stop.plusSeconds(60), "a").put("node", node),
                connected(elsewhere, stop.minusSeconds(60), "e").put("node", other));

        // stopped at `stop`; connects up to 30 s after it belong to the run that stopped (connmon's start sweep)
        int disconnected = repository
                .disconnectNode(node, stop, stop.plusSeconds(30), "connmon", "default")
                .await()
                .atMost(Duration.ofSeconds(10));

        assertThat(disconnected).isEqualTo(3);
        state(before)
                .body("connectionStatus", equalTo("disconnected"))
                .body("lastDisconnectInitiator", equalTo("server"))
                .body("lastDisconnectReasonCode", equalTo(0x8B))
                .body("lastDisconnectTime", equalTo("2026-11-21T12:00:00.000Z"));
        // a connection does not end before it started
        state(late)
                .body("connectionStatus", equalTo("disconnected"))
                .body("lastDisconnectTime", equalTo("2026-11-21T12:00:10.000Z"));
        // nor before the last thing it did
        state(active)
                .body("connectionStatus", equalTo("disconnected"))
                .body("lastDisconnectTime", equalTo("2026-11-21T12:00:05.000Z"))
                .body("lastActivityEvent", equalTo("mqttDisconnect"));
        state(after).body("connectionStatus", equalTo("connected"));
        state(elsewhere).body("connectionStatus", equalTo("connected"));
        asReader()
                .queryParam("clientId", late)
                .when()
                .get(LOGS)
                .then()
                .body("message", hasItem("Disconnected by the server: Server shutting down (0x8B)"))
                .body("timestamp", hasItem("2026-11-21T12:00:10.000Z"));
        // a second sweep finds nothing left to end
        assertThat(repository
                        .disconnectNode(node, stop, stop.plusSeconds(30), "connmon", "default")
                        .await()
                        .atMost(Duration.ofSeconds(10)))
                .isZero();
    }

    @Test
    void theHeartbeatKeepsTheRunAndFindsConnectionsOfEarlierRuns() {
        String node = "beat-" + UUID.randomUUID().toString().substring(0, 8);
        Instant runStart = Instant.parse("2026-11-22T08:00:00Z");
        assertThat(heartbeats.previousRun(node).await().atMost(Duration.ofSeconds(10)))
                .isNull();
        heartbeats.started(node, runStart, runStart).await().atMost(Duration.ofSeconds(10));
        assertThat(heartbeats
                        .beat(node, runStart.plusSeconds(5), runStart)
                        .await()
                        .atMost(Duration.ofSeconds(10)))
                .isFalse();
        assertThat(heartbeats.previousRun(node).await().atMost(Duration.ofSeconds(10)))
                .isEqualTo(new NodeHeartbeats.PreviousRun(runStart, runStart.plusSeconds(5), false));

        // an event of the previous run, delivered late: a connect before this run started
        String ghost = node + "-ghost";
        publish(
                connected(ghost, runStart.minusSeconds(3), "g").put("node", node),
                connected(node + "-now", runStart.plusSeconds(1), "n").put("node", node));
        assertThat(heartbeats
                        .beat(node, runStart.plusSeconds(10), runStart)
                        .await()
                        .atMost(Duration.ofSeconds(10)))
                .isTrue();
        repository
                .disconnectNode(node, runStart.minusSeconds(5), runStart.minusMillis(1), "connmon", "default")
                .await()
                .atMost(Duration.ofSeconds(10));
        state(ghost)
                .body("connectionStatus", equalTo("disconnected"))
                .body("lastDisconnectTime", equalTo("2026-11-22T07:59:57.000Z"));
        state(node + "-now").body("connectionStatus", equalTo("connected"));
        assertThat(heartbeats
                        .beat(node, runStart.plusSeconds(15), runStart)
                        .await()
                        .atMost(Duration.ofSeconds(10)))
                .isFalse();

        heartbeats.stopped(node, runStart.plusSeconds(20)).await().atMost(Duration.ofSeconds(10));
        assertThat(heartbeats.previousRun(node).await().atMost(Duration.ofSeconds(10)))
                .isEqualTo(new NodeHeartbeats.PreviousRun(runStart, runStart.plusSeconds(20), true));
    }
}
