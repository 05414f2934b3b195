package dev.connmon.state;

import dev.connmon.config.ConnmonConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Keeps the growing tables bounded: the connection log keeps {@code connmon.log.retention} (whole days of it are
 * dropped as partitions, see V6__partitioned_connection_log.sql), only the newest {@code connmon.rejected.max-rows}
 * rejected messages stay, and state changes (the SSE replay and monitoring-topic feed) older than
 * {@code connmon.live.change-retention} go. Every step works in short statements, so none holds up ingestion.
 */
@ApplicationScoped
public class TableRetention {
    private static final int PARTITIONS_AHEAD = 3;
    private static final int CHANGE_CHUNK = 10_000;

    private final Pool pool;
    private final Vertx vertx;
    private final int maxRows;
    private final Duration interval;
    private final Duration changeRetention;
    private final Duration logRetention;
    private long timer = -1;

    TableRetention(Pool pool, Vertx vertx, ConnmonConfig config) {
        Duration logRetention = config.log().retention();
        if (logRetention.isNegative() || logRetention.isZero()) {
            throw new IllegalArgumentException(
                    "connmon.log.retention must be a positive duration, not " + logRetention);
        }
        this.pool = pool;
        this.vertx = vertx;
        this.maxRows = config.rejected().maxRows();
        this.interval = config.rejected().trimInterval();
        this.changeRetention = config.live().changeRetention();
        this.logRetention = logRetention;
    }

    void start(@Observes StartupEvent event) {
        maintain();
        timer = vertx.setPeriodic(interval.toMillis(), id -> maintain());
    }

    void stop(@Observes ShutdownEvent event) {
        // a pass that started while the pool closes would only log that the pool is closed
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
    }

    private void maintain() {
        maintainLog(Instant.now(), logRetention)
                .subscribe()
                .with(
                        result -> {
                            if (result.dropped() > 0) {
                                Log.infof(
                                        "Dropped %d day(s) of connection log older than %s",
                                        result.dropped(), logRetention);
                            }
                        },
                        failure ->
                                Log.warnf("Cannot maintain the connection log partitions: %s", failure.getMessage()));
        trim(maxRows)
                .subscribe()
                .with(
                        deleted -> {
                            if (deleted > 0) {
                                Log.infof("Dropped the %d oldest rejected messages (keeping %d)", deleted, maxRows);
                            }
                        },
                        failure -> Log.warnf("Cannot trim rejected messages: %s", failure.getMessage()));
        trimChanges(changeRetention)
                .subscribe()
                .with(
                        deleted -> Log.debugf("Dropped %d state changes older than %s", deleted, changeRetention),
                        failure -> Log.warnf("Cannot trim state changes: %s", failure.getMessage()));
    }

    /** What one pass over the connection log's partitions did. */
    public record LogMaintenance(int dropped, int made) {}

    /**
     * Drops the log's day partitions that end before {@code now - retention} and makes those from the day before
     * {@code now} to three days after, so that ingestion finds its day's partition (a clock a little ahead too).
     * Older days are never made after the fact: their late events wait in the default partition until they are
     * older than the retention.
     */
    public Uni<LogMaintenance> maintainLog(Instant now, Duration retention) {
        OffsetDateTime cutoff = now.minus(retention).atOffset(ZoneOffset.UTC);
        LocalDate today = now.atOffset(ZoneOffset.UTC).toLocalDate();
        LocalDate first = cutoff.toLocalDate().isAfter(today.minusDays(1)) ? cutoff.toLocalDate() : today.minusDays(1);
        LocalDate last = today.plusDays(PARTITIONS_AHEAD);
        return pool.withTransaction(conn -> conn.preparedQuery("SELECT connmon_drop_log_partitions($1)")
                .execute(Tuple.of(cutoff))
                .chain(dropped -> conn.preparedQuery("SELECT connmon_log_partitions($1, $2)")
                        .execute(Tuple.of(first, last))
                        .map(made -> new LogMaintenance(
                                dropped.iterator().next().getInteger(0),
                                made.iterator().next().getInteger(0)))));
    }

    /**
     * Deletes state changes older than {@code retention} in chunks of 10 000, so that no statement runs long yet a
     * feed of many changes a minute is kept up with.
     */
    public Uni<Integer> trimChanges(Duration retention) {
        return trimChangesFrom(retention, 0);
    }

    private Uni<Integer> trimChangesFrom(Duration retention, int deletedSoFar) {
        return pool.preparedQuery("""
                DELETE FROM state_change WHERE id IN (
                    SELECT id FROM state_change WHERE changed_at < now() - make_interval(secs => $1)
                     ORDER BY id LIMIT $2)""")
                .execute(Tuple.of((double) retention.toSeconds(), CHANGE_CHUNK))
                .chain(rows -> rows.rowCount() < CHANGE_CHUNK
                        ? Uni.createFrom().item(deletedSoFar + rows.rowCount())
                        : trimChangesFrom(retention, deletedSoFar + rows.rowCount()));
    }

    /** Deletes all but the newest {@code keep} rejections, by id range (an index range, not a scan). */
    public Uni<Integer> trim(int keep) {
        return pool.preparedQuery("""
                DELETE FROM rejected_message
                 WHERE id <= (SELECT max(id) FROM rejected_message) - $1""").execute(Tuple.of(keep)).map(rows -> rows.rowCount());
    }
}
