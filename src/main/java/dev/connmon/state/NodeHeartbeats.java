package dev.connmon.state;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The sign of life of broker nodes that run inside connmon (table embedded_node): when each last started, its last
 * heartbeat, and whether it stopped gracefully. Short statements of their own on the pool, never part of an ingest
 * batch.
 */
@ApplicationScoped
public class NodeHeartbeats {
    /** The node's previous run: when it started, its last sign of life, and whether it stopped gracefully then. */
    public record PreviousRun(Instant startedAt, Instant lastAlive, boolean stopped) {}

    private final Pool pool;

    NodeHeartbeats(Pool pool) {
        this.pool = pool;
    }

    /** The node's previous run, or null when it never ran on this database. */
    public Uni<PreviousRun> previousRun(String node) {
        return pool.preparedQuery("SELECT started_at, heartbeat_at, stopped_at FROM embedded_node WHERE node = $1")
                .execute(Tuple.of(node))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new PreviousRun(
                            row.getOffsetDateTime("started_at").toInstant(),
                            row.getOffsetDateTime("heartbeat_at").toInstant(),
                            row.getOffsetDateTime("stopped_at") != null);
                });
    }

    /** The node runs since {@code startedAt}, and is alive at {@code at}. */
    public Uni<Void> started(String node, Instant startedAt, Instant at) {
        return pool.preparedQuery("""
                INSERT INTO embedded_node (node, started_at, heartbeat_at) VALUES ($1, $2, $3)
                ON CONFLICT (node) DO UPDATE SET started_at = $2, heartbeat_at = $3, stopped_at = NULL""")
                .execute(Tuple.of(node, utc(startedAt), utc(at)))
                .replaceWithVoid();
    }

    /**
     * The node is alive at {@code at}. Emits whether clients shown connected through it have a connect older than
     * {@code runStart}: connections of a previous run, which a broker restart ended, whose events arrived late (from
     * connmon's own session queue) or were committed after the previous run's stop. One index lookup either way.
     */
    public Uni<Boolean> beat(String node, Instant at, Instant runStart) {
        return pool.preparedQuery("""
                WITH beat AS (UPDATE embedded_node SET heartbeat_at = $2 WHERE node = $1)
                SELECT EXISTS (SELECT 1 FROM client_state
                                WHERE node = $1 AND connection_status = 'connected' AND connect_time < $3) AS stale""")
                .execute(Tuple.of(node, utc(at), utc(runStart)))
                .map(rows -> rows.iterator().next().getBoolean("stale"));
    }

    /** The node stopped gracefully at {@code at}, its clients disconnected. */
    public Uni<Void> stopped(String node, Instant at) {
        return pool.preparedQuery("UPDATE embedded_node SET heartbeat_at = $2, stopped_at = $2 WHERE node = $1")
                .execute(Tuple.of(node, utc(at)))
                .replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
