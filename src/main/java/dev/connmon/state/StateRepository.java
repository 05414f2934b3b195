package dev.connmon.state;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Writes client state and the connection log: one statement applies a whole batch atomically
 * ({@link BatchStatement}); every write records its changes in the change feed ({@link StateChanges}).
 */
@ApplicationScoped
public class StateRepository {
    private static final String MARK_UNCONFIRMED = """
            WITH marked AS (
                UPDATE client_state SET unconfirmed_since = $2, updated_at = now()
                 WHERE source = $1 AND connection_status = 'connected' AND unconfirmed_since IS NULL
                   AND connect_time <= $2
                RETURNING\s""" + StateChanges.COLUMNS + ")\n"
            + StateChanges.CHANGES.formatted("marked", "false", "false")
            + "SELECT count(*) AS marked, " + StateChanges.NOTIFY_NEWEST.formatted("changes");

    private static final String DELETE = """
            WITH state AS (DELETE FROM client_state WHERE client_id = $1 RETURNING client_id),
                 log AS (DELETE FROM connection_log WHERE client_id = $1 RETURNING 1),
                 change AS (INSERT INTO state_change (client_id, deleted)
                            SELECT client_id, true FROM state RETURNING id),
                 notified AS (SELECT NOTIFY_NEWEST HAVING count(*) > 0)
            SELECT (SELECT count(*) FROM state) + (SELECT count(*) FROM log)
                   + (SELECT count(*) FROM notified) AS deleted""".replace("NOTIFY_NEWEST", StateChanges.NOTIFY_NEWEST.formatted("change"));

    private final Pool pool;
    private final FlappingRule flapping;

    StateRepository(Pool pool) {
        this(pool, FlappingRule.defaults());
    }

    @Inject
    StateRepository(Pool pool, FlappingRule flapping) {
        this.pool = pool;
        this.flapping = flapping;
    }

    /** Applies a batch in one statement (one round trip, one transaction); duplicates change nothing. */
    public Uni<Void> apply(IngestBatch batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // flapping (docs/api.md §10.3) reads the log as this batch left it, so it runs after the batch statement
        Set<String> disconnecting = new TreeSet<>();
        batch.events().stream()
                .filter(e -> e.type() == EventType.DISCONNECTED)
                .forEach(e -> disconnecting.add(e.clientId()));
        Uni<Void> applied = inFeedTransaction(conn -> conn.preparedQuery(BatchStatement.SQL)
                .execute(BatchStatement.parameters(batch))
                .chain(rows -> flapping.update(conn, disconnecting, rows)));
        for (LifecycleEvent event : batch.events()) {
            if (event.type() == EventType.BROKER_STOPPED) {
                applied = applied.chain(() -> brokerStopped(event));
            }
        }
        return applied;
    }

    /**
     * A broker node said it is stopping (Mosquitto's "terminating" line): every client connected through that node
     * before then is disconnected by the server with 0x8B, in state and log, since no per-client line follows.
     */
    Uni<Void> brokerStopped(LifecycleEvent stop) {
        return disconnectNode(stop.node(), stop.time(), stop.time(), stop.dialect(), stop.source())
                .replaceWithVoid();
    }

    /** See {@link NodeStops#disconnect}: what a node's stop or crash means for the connections through it. */
    public Uni<Integer> disconnectNode(String node, Instant at, Instant connectedUpTo, String dialect, String source) {
        return NodeStops.disconnect(pool, node, at, connectedUpTo, dialect, source);
    }

    /**
     * A source lost its broker session (it reconnected without one): its clients still shown connected may have
     * changed unseen since {@code since}. Says so in their state rather than inventing a disconnect.
     */
    public Uni<Integer> markUnconfirmed(String source, Instant since) {
        return pool.withTransaction(conn -> conn.query(StateChanges.LOCK_CHANGE_FEED)
                .execute()
                .chain(() -> conn.preparedQuery(MARK_UNCONFIRMED).execute(Tuple.of(source, utc(since))))
                .map(rows -> (int) (long) rows.iterator().next().getLong("marked")));
    }

    /** Forgets a client: its state and its connection log. Emits whether there was anything to forget. */
    public Uni<Boolean> delete(String clientId) {
        return pool.withTransaction(conn -> conn.query(StateChanges.LOCK_CHANGE_FEED)
                        .execute()
                        .chain(() -> conn.preparedQuery(DELETE).execute(Tuple.of(clientId))))
                .map(rows -> rows.iterator().next().getLong("deleted") > 0);
    }

    /** Runs {@code work} in a transaction that holds the change-feed lock ({@link StateChanges#BEGIN_INGEST}). */
    private Uni<Void> inFeedTransaction(Function<SqlConnection, Uni<RowSet<Row>>> work) {
        return pool.withTransaction(
                        conn -> conn.query(StateChanges.BEGIN_INGEST).execute().chain(() -> work.apply(conn)))
                .replaceWithVoid();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
