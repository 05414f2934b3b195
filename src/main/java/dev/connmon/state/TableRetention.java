package dev.connmon.state;

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
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Keeps the growing tables bounded: only the newest {@code connmon.rejected.max-rows} rejected messages stay, and
 * state changes (the SSE replay and monitoring-topic feed) older than {@code connmon.live.change-retention} go.
 */
@ApplicationScoped
public class TableRetention {
    private final Pool pool;
    private final Vertx vertx;
    private final int maxRows;
    private final Duration interval;
    private final Duration changeRetention;
    private long timer = -1;

    TableRetention(Pool pool, Vertx vertx,
            @ConfigProperty(name = "connmon.rejected.max-rows", defaultValue = "10000") int maxRows,
            @ConfigProperty(name = "connmon.rejected.trim-interval", defaultValue = "PT1M") Duration interval,
            @ConfigProperty(name = "connmon.live.change-retention", defaultValue = "P7D") Duration changeRetention) {
        this.pool = pool;
        this.vertx = vertx;
        this.maxRows = maxRows;
        this.interval = interval;
        this.changeRetention = changeRetention;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> {
            trim(maxRows).subscribe().with(
                    deleted -> {
                        if (deleted > 0) {
                            Log.infof("Dropped the %d oldest rejected messages (keeping %d)", deleted, maxRows);
                        }
                    },
                    failure -> Log.warnf("Cannot trim rejected messages: %s", failure.getMessage()));
            trimChanges(changeRetention).subscribe().with(
                    deleted -> Log.debugf("Dropped %d state changes older than %s", deleted, changeRetention),
                    failure -> Log.warnf("Cannot trim state changes: %s", failure.getMessage()));
        });
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
    }

    /** Deletes state changes older than {@code retention}, at most 10 000 a call so that no call runs long. */
    public Uni<Integer> trimChanges(Duration retention) {
        return pool.preparedQuery("""
                DELETE FROM state_change WHERE id IN (
                    SELECT id FROM state_change WHERE changed_at < now() - make_interval(secs => $1)
                     ORDER BY id LIMIT 10000)""")
                .execute(Tuple.of((double) retention.toSeconds()))
                .map(rows -> rows.rowCount());
    }

    /** Deletes all but the newest {@code keep} rejections, by id range (an index range, not a scan). */
    public Uni<Integer> trim(int keep) {
        return pool.preparedQuery("""
                DELETE FROM rejected_message
                 WHERE id <= (SELECT max(id) FROM rejected_message) - $1""")
                .execute(Tuple.of(keep))
                .map(rows -> rows.rowCount());
    }
}
