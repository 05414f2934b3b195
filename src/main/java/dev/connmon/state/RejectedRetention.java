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

/** Keeps the rejected-message table bounded: only the newest {@code connmon.rejected.max-rows} rows stay. */
@ApplicationScoped
public class RejectedRetention {
    private final Pool pool;
    private final Vertx vertx;
    private final int maxRows;
    private final Duration interval;
    private long timer = -1;

    RejectedRetention(Pool pool, Vertx vertx,
            @ConfigProperty(name = "connmon.rejected.max-rows", defaultValue = "10000") int maxRows,
            @ConfigProperty(name = "connmon.rejected.trim-interval", defaultValue = "PT1M") Duration interval) {
        this.pool = pool;
        this.vertx = vertx;
        this.maxRows = maxRows;
        this.interval = interval;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(interval.toMillis(), id -> trim(maxRows).subscribe().with(
                deleted -> {
                    if (deleted > 0) {
                        Log.infof("Dropped the %d oldest rejected messages (keeping %d)", deleted, maxRows);
                    }
                },
                failure -> Log.warnf("Cannot trim rejected messages: %s", failure.getMessage())));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
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
