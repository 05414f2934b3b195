package dev.connmon.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The growing tables stay bounded: the connection log by whole days, rejected messages by count, state changes by age. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class TableRetentionTest {
    @Inject
    Pool pool;

    @Inject
    TableRetention retention;

    @Inject
    StateRepository repository;

    @Test
    void onlyTheNewestRejectionsStay() {
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("retention-" + UUID.randomUUID());
        String marker = UUID.randomUUID().toString();
        for (int i = 0; i < 5; i++) {
            TestMqtt.publishEvent(publisher, "retention", "not json " + marker + " " + i);
        }
        publisher.disconnect().join();
        // payloads are bytes, not always UTF-8 (the fuzz tests keep invalid ones): search them as escaped bytes
        await().atMost(Duration.ofSeconds(10))
                .until(() -> count("payload_size > 0 AND encode(payload, 'escape') LIKE '%" + marker + "%'") == 5);

        retention.trim(2).await().indefinitely();

        assertThat(count("true")).isEqualTo(2);
        assertThat(count("encode(payload, 'escape') LIKE '%" + marker + " 4'")).isEqualTo(1);
    }

    @Test
    void stateChangesOlderThanTheRetentionGo() {
        pool.query("INSERT INTO state_change (client_id, changed_at) VALUES ('old-change', now() - interval '8 days')")
                .execute()
                .await()
                .indefinitely();
        retention.trimChanges(java.time.Duration.ofDays(7)).await().indefinitely();
        assertThat(pool.query("SELECT count(*) FROM state_change WHERE client_id = 'old-change'")
                        .execute()
                        .await()
                        .indefinitely()
                        .iterator()
                        .next()
                        .getLong(0))
                .isZero();
    }

    @Test
    void logDaysOlderThanTheRetentionAreDroppedWhole() {
        Instant now = Instant.now();
        String client = "retention-log-" + UUID.randomUUID();
        LifecycleEvent recent = connect(client, now.minus(Duration.ofHours(1)));
        LifecycleEvent tenDaysOld = connect(client, now.minus(Duration.ofDays(10)));
        LifecycleEvent beyondRetention = connect(client, now.minus(Duration.ofDays(40)));
        // the partition of ten days ago, as the maintenance of that day made it
        LocalDate tenDaysAgo = tenDaysOld.time().atOffset(ZoneOffset.UTC).toLocalDate();
        pool.preparedQuery("SELECT connmon_log_partitions($1, $1)")
                .execute(Tuple.of(tenDaysAgo))
                .await()
                .indefinitely();
        repository
                .apply(new IngestBatch(List.of(recent, tenDaysOld, beyondRetention), List.of()))
                .await()
                .indefinitely();
        String tenDaysOldPartition = partitionOf(client, tenDaysOld.time());
        assertThat(tenDaysOldPartition).isEqualTo("connection_log_" + DAY.format(tenDaysOld.time()));
        // a late event of a day that has no partition waits in the default one
        assertThat(partitionOf(client, beyondRetention.time())).isEqualTo("connection_log_default");

        TableRetention.LogMaintenance pass =
                retention.maintainLog(now, Duration.ofDays(5)).await().indefinitely();

        assertThat(pass.dropped()).isGreaterThanOrEqualTo(1);
        assertThat(exists(tenDaysOldPartition)).isFalse();
        assertThat(logTimes(client)).containsExactly(recent.time().truncatedTo(ChronoUnit.MILLIS));
        // the state, which does not depend on the log, is untouched
        assertThat(pool.preparedQuery("SELECT connect_time FROM client_state WHERE client_id = $1")
                        .execute(Tuple.of(client))
                        .await()
                        .indefinitely()
                        .iterator()
                        .next()
                        .getOffsetDateTime(0)
                        .toInstant())
                .isEqualTo(recent.time().truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void aRowTheDefaultPartitionCaughtMovesToItsDayWhenTheDayIsMade() {
        Instant now = Instant.now();
        String client = "retention-future-" + UUID.randomUUID();
        // a broker clock far ahead: no partition for that day yet
        LifecycleEvent future = connect(client, now.plus(Duration.ofDays(60)));
        IngestBatch batch = new IngestBatch(List.of(future), List.of());
        repository.apply(batch).await().indefinitely();
        assertThat(partitionOf(client, future.time())).isEqualTo("connection_log_default");

        TableRetention.LogMaintenance pass = retention
                .maintainLog(now.plus(Duration.ofDays(58)), Duration.ofDays(100))
                .await()
                .indefinitely();
        assertThat(pass.made()).isGreaterThanOrEqualTo(1);

        assertThat(partitionOf(client, future.time())).isEqualTo("connection_log_" + DAY.format(future.time()));
        // and it is still the same event: a redelivery adds nothing
        repository.apply(batch).await().indefinitely();
        assertThat(logTimes(client)).hasSize(1);
    }

    private static final DateTimeFormatter DAY =
            DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private static LifecycleEvent connect(String client, Instant time) {
        return LifecycleEvent.builder(EventType.CONNECTED, client, time)
                .connectionId(UUID.randomUUID().toString())
                .dialect("connmon")
                .build();
    }

    private String partitionOf(String client, Instant time) {
        return pool.preparedQuery(
                        "SELECT tableoid::regclass::text FROM connection_log WHERE client_id = $1 AND event_time = $2")
                .execute(Tuple.of(client, time.atOffset(ZoneOffset.UTC)))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getString(0);
    }

    private boolean exists(String table) {
        return pool.preparedQuery("SELECT to_regclass($1) IS NOT NULL")
                .execute(Tuple.of(table))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getBoolean(0);
    }

    private List<Instant> logTimes(String client) {
        List<Instant> times = new ArrayList<>();
        pool.preparedQuery("SELECT event_time FROM connection_log WHERE client_id = $1 ORDER BY event_time")
                .execute(Tuple.of(client))
                .await()
                .indefinitely()
                .forEach(row -> times.add(row.getOffsetDateTime(0).toInstant()));
        return times;
    }

    private long count(String where) {
        return pool.query("SELECT count(*) FROM rejected_message WHERE " + where)
                .execute()
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
    }
}
