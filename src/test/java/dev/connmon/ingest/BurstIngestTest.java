package dev.connmon.ingest;

import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import dev.connmon.support.Api;
import dev.connmon.support.DatabaseHold;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tens of thousands of QoS 1 events published as fast as the broker takes them while PostgreSQL is held back (the
 * test holds the change-feed lock every ingest transaction takes first): the broker accepts all of them, connmon
 * holds at most writes-in-flight + 1 batches unacknowledged and stores nothing, and once the database moves again
 * every event is stored, each ingested exactly once (the ingest counter, since the log's dedup would hide a second delivery).
 * Holding the database back makes the test independent of which of broker and database is faster on the machine
 * running it (an earlier version asserted that the broker outran PostgreSQL, and CI once saw it lose that race).
 * The embedded broker hands a persistent subscriber its queue in rounds (HiveMQ polls the next round only when
 * every message in flight is acknowledged), so what connmon holds is the round it had when the database stopped;
 * that connmon acks only after commit is proven by CrashRecoveryIT, which kills it.
 * Runs on the embedded broker only: a stock Mosquitto queues at most 1000 messages for a subscriber that falls
 * behind ({@code max_queued_messages}) and drops the rest, whatever the subscriber does.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("embedded-broker")
@Tag("long")
class BurstIngestTest {
    private static final int CLIENTS = 2_000;
    private static final int CONNECTIONS_PER_CLIENT = 10;
    /** connmon.ingest.batch-size of the test profile. */
    private static final int BATCH_SIZE = 500;
    /** connmon.ingest.writes-in-flight's default: batches written at once, one more forms meanwhile. */
    private static final int WRITES_IN_FLIGHT = 2;

    private static final Instant T0 = Instant.parse("2026-11-26T07:00:00.000Z");

    @Inject
    Pool pool;

    @Test
    void everyEventOfABurstIsStoredExactlyOnce() throws Exception {
        String prefix = "burst-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        int expectedRows = CLIENTS * CONNECTIONS_PER_CLIENT * 2;
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("burst-publisher-" + UUID.randomUUID());
        double ingestedBefore = ingested();
        long start = System.nanoTime();
        List<CompletableFuture<Mqtt5PublishResult>> sent = new ArrayList<>(expectedRows);
        try (DatabaseHold hold = DatabaseHold.take(pool)) {
            for (int c = 0; c < CONNECTIONS_PER_CLIENT; c++) {
                for (int i = 0; i < CLIENTS; i++) {
                    String id = prefix + i;
                    Instant connectedAt = T0.plusSeconds(c * 60L);
                    sent.add(send(publisher, connected(id, connectedAt, "c" + c)));
                    sent.add(send(publisher, disconnected(id, connectedAt.plusSeconds(30), "c" + c, "client", 0)));
                }
            }
            // every event is with the broker (QoS 1: PUBACKed to the publisher) and none is stored yet
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> Api.metric("connmon_ingest_unacknowledged") > 0);
            // what connmon received it holds, unacknowledged and bounded, for as long as the database is away
            double held = Api.metric("connmon_ingest_unacknowledged");
            await().during(Duration.ofSeconds(2))
                    .atMost(Duration.ofSeconds(3))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(Api.metric("connmon_ingest_unacknowledged"))
                            .isEqualTo(held)
                            .isLessThanOrEqualTo((WRITES_IN_FLIGHT + 1.0) * BATCH_SIZE));
            assertThat(logRows(prefix)).isZero();
            Log.infof(
                    "Burst: %d events with the broker after %.1f s, %.0f of them held by connmon while the "
                            + "database was away",
                    expectedRows, (System.nanoTime() - start) / 1e9, held);
        }
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> logRows(prefix) >= expectedRows);
        Log.infof("Burst: all %d stored %.1f s after the start", expectedRows, (System.nanoTime() - start) / 1e9);

        // the log keeps one row per distinct event, so its count cannot show a redelivery; the ingest counter
        // counts every message connmon decoded: a redelivery (stored twice) or a loss would move it off the mark
        assertThat(logRows(prefix)).isEqualTo(expectedRows);
        await().atMost(Duration.ofSeconds(5))
                .pollDelay(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(ingested() - ingestedBefore).isEqualTo(expectedRows));
        Row states = pool.preparedQuery("""
                SELECT count(*) AS clients,
                       count(*) FILTER (WHERE connection_status = 'disconnected'
                                          AND connect_connection_id = 'c9' AND disconnect_connection_id = 'c9') AS final
                  FROM client_state WHERE client_id LIKE $1""")
                .execute(Tuple.of(prefix + "%"))
                .await()
                .indefinitely()
                .iterator()
                .next();
        assertThat(states.getLong("clients")).isEqualTo(CLIENTS);
        assertThat(states.getLong("final")).isEqualTo(CLIENTS);
        publisher.disconnect().join();
    }

    /** Canonical events connmon has decoded since it started (the publisher's own connection is not among them). */
    private static double ingested() {
        double total = Api.metric("connmon_events_ingested_total", "dialect=\"connmon\"");
        return Double.isNaN(total) ? 0 : total;
    }

    private static CompletableFuture<Mqtt5PublishResult> send(Mqtt5AsyncClient publisher, JsonObject event) {
        return publisher
                .publishWith()
                .topic(TestMqtt.eventTopicPrefix() + "burst")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(event.encode().getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private long logRows(String prefix) {
        return pool.preparedQuery("SELECT count(*) FROM connection_log WHERE client_id LIKE $1")
                .execute(Tuple.of(prefix + "%"))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
    }
}
