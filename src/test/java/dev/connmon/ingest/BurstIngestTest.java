package dev.connmon.ingest;

import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.logging.Log;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tens of thousands of QoS 1 events published as fast as the broker takes them, faster than PostgreSQL stores
 * them: every one is stored, none twice. Only possible because connmon acks after commit and pauses its socket.
 * Runs on the embedded broker only: a stock Mosquitto queues at most 1000 messages for a subscriber that falls
 * behind ({@code max_queued_messages}) and drops the rest, whatever the subscriber does.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("embedded-broker")
class BurstIngestTest {
    private static final int CLIENTS = 2_000;
    private static final int CONNECTIONS_PER_CLIENT = 10;
    private static final Instant T0 = Instant.parse("2026-11-26T07:00:00.000Z");

    @Inject
    Pool pool;

    @Test
    void everyEventOfABurstIsStoredExactlyOnce() {
        String prefix = "burst-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        int expectedRows = CLIENTS * CONNECTIONS_PER_CLIENT * 2;
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("burst-publisher-" + UUID.randomUUID());
        long start = System.nanoTime();
        List<CompletableFuture<Mqtt5PublishResult>> sent = new ArrayList<>(expectedRows);
        for (int c = 0; c < CONNECTIONS_PER_CLIENT; c++) {
            for (int i = 0; i < CLIENTS; i++) {
                String id = prefix + i;
                Instant connectedAt = T0.plusSeconds(c * 60L);
                sent.add(send(publisher, connected(id, connectedAt, "c" + c)));
                sent.add(send(publisher, disconnected(id, connectedAt.plusSeconds(30), "c" + c, "client", 0)));
            }
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        double publishSeconds = (System.nanoTime() - start) / 1e9;

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> logRows(prefix) >= expectedRows);
        double storeSeconds = (System.nanoTime() - start) / 1e9;
        Log.infof("Burst: published %d QoS 1 events in %.1f s, all stored after %.1f s (%.0f events/s)",
                expectedRows, publishSeconds, storeSeconds, expectedRows / storeSeconds);

        assertThat(logRows(prefix)).isEqualTo(expectedRows);
        Row states = pool.preparedQuery("""
                SELECT count(*) AS clients,
                       count(*) FILTER (WHERE connection_status = 'disconnected'
                                          AND connect_connection_id = 'c9' AND disconnect_connection_id = 'c9') AS final
                  FROM client_state WHERE client_id LIKE $1""")
                .execute(Tuple.of(prefix + "%")).await().indefinitely().iterator().next();
        assertThat(states.getLong("clients")).isEqualTo(CLIENTS);
        assertThat(states.getLong("final")).isEqualTo(CLIENTS);
        publisher.disconnect().join();
    }

    private static CompletableFuture<Mqtt5PublishResult> send(Mqtt5AsyncClient publisher, JsonObject event) {
        return publisher.publishWith().topic(TestMqtt.eventTopicPrefix() + "burst").qos(MqttQos.AT_LEAST_ONCE)
                .payload(event.encode().getBytes(StandardCharsets.UTF_8)).send();
    }

    private long logRows(String prefix) {
        return pool.preparedQuery("SELECT count(*) FROM connection_log WHERE client_id LIKE $1")
                .execute(Tuple.of(prefix + "%")).await().indefinitely().iterator().next().getLong(0);
    }
}
