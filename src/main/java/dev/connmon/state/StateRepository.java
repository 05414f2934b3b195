package dev.connmon.state;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** Writes client state and the connection log: one statement applies a whole batch atomically. */
@ApplicationScoped
public class StateRepository {

    /**
     * Connects of one millisecond and one connection id (a source without connection ids; a takeover within a
     * millisecond) are ordered by every other column as well, as {@link ClientDelta#CONNECT_ORDER} does: a total
     * order, so that the winner does not depend on which arrived first. Text compares in the "C" collation.
     */
    private static final String NEWER_CONNECT = """
            (EXCLUDED.connect_time IS NOT NULL AND (s.connect_time IS NULL
              OR (EXCLUDED.connect_time, coalesce(EXCLUDED.connect_connection_id, ''), %s)
               > (s.connect_time, coalesce(s.connect_connection_id, ''), %s)))""".formatted(connectTieBreak("EXCLUDED"), connectTieBreak("s"));

    private static final String NEWER_DISCONNECT = """
            (EXCLUDED.disconnect_time IS NOT NULL AND (s.disconnect_time IS NULL
              OR (EXCLUDED.disconnect_time, coalesce(EXCLUDED.disconnect_connection_id, ''),
                  coalesce(EXCLUDED.disconnect_initiator, ''), coalesce(EXCLUDED.disconnect_reason_code, -1),
                  coalesce(EXCLUDED.disconnect_reason, ''))
               > (s.disconnect_time, coalesce(s.disconnect_connection_id, ''),
                  coalesce(s.disconnect_initiator, ''), coalesce(s.disconnect_reason_code, -1),
                  coalesce(s.disconnect_reason, ''))))""";
    private static final String NEWER_ACTIVITY = """
            (EXCLUDED.activity_time IS NOT NULL AND (s.activity_time IS NULL
              OR (EXCLUDED.activity_time, EXCLUDED.activity_rank) > (s.activity_time, s.activity_rank)))""";
    /**
     * A disconnect in this batch names the stored connect's connection. The batch's closing ids are looked up in
     * one jsonb object by client id (CTE closing, built once per statement): a lookup in the delta CTE scanned the
     * whole batch for every row, O(n²), most of a 1000-event statement's time (issue 7).
     */
    private static final String CLOSES_STORED = """
            (NOT s.connect_closed AND s.connect_connection_id IS NOT NULL
              AND coalesce(jsonb_exists((SELECT c.ids FROM closing c) -> EXCLUDED.client_id,
                                        s.connect_connection_id), false))""";

    private static final List<String> CONNECT_COLUMNS = List.of(
            "connect_time",
            "connect_connection_id",
            "protocol_version",
            "ip_address",
            "port",
            "username",
            "node",
            "keep_alive",
            "clean_start",
            "source");
    private static final List<String> DISCONNECT_COLUMNS = List.of(
            "disconnect_time",
            "disconnect_connection_id",
            "disconnect_initiator",
            "disconnect_reason_code",
            "disconnect_reason");
    private static final List<String> ACTIVITY_COLUMNS = List.of("activity_time", "activity_event", "activity_rank");

    /** The state columns a change keeps: what the API shows (see StateReader). */
    static final String CHANGE_COLUMNS = """
            client_id, client_type, connection_status, connect_time, disconnect_time, activity_event, activity_time,
            protocol_version, disconnect_initiator, disconnect_reason_code, disconnect_reason, ip_address,
            username, node, unconfirmed_since, port, clean_start, flapping_until, flapping_since""";

    /**
     * Appends the changed rows of CTE %1$s to the change feed, in client id order, and wakes the feed's readers;
     * the notification is delivered at commit. %2$s and %3$s say whether each change stored a new connect and a new
     * disconnect (the Watson status topics publish those, CONTRACT §7).
     */
    static final String RECORD_CHANGES = """
            , changes AS (
                INSERT INTO state_change (CHANGE_COLUMNS, connect_moved, disconnect_moved)
                SELECT CHANGE_COLUMNS, %2$s, %3$s FROM %1$s ORDER BY client_id
                RETURNING id)
            SELECT pg_notify('connmon_changes', max(id)::text) FROM changes HAVING count(*) > 0
            """.replace("CHANGE_COLUMNS", CHANGE_COLUMNS);

    /**
     * Serializes writers of the change feed (across instances) for the rest of their transaction: ids are drawn
     * from a sequence when rows are inserted, not when they commit, so without it a reader could see id N + 1
     * before the transaction holding N commits, move past N, and never deliver it.
     */
    public static final String LOCK_CHANGE_FEED =
            "SELECT pg_advisory_xact_lock(" + dev.connmon.cluster.AdvisoryLocks.CHANGE_FEED + ")";

    /**
     * The ingest transaction's first statement: the feed lock, and plans cached for this transaction's statements.
     * The pool plans every execution for its values (plan_cache_mode=force_custom_plan, for the list queries'
     * LIKE prefixes); the batch statement's plan does not depend on its values (arrays of rows), and planning it
     * each time cost more than small batches' execution (issue 5).
     */
    static final String BEGIN_INGEST = LOCK_CHANGE_FEED + ", set_config('plan_cache_mode', 'force_generic_plan', true)";

    static final String APPLY_BATCH = ("""
            WITH logged AS (
                INSERT INTO connection_log (client_id, event_time, event, initiator, reason_code, reason,
                                            connection_id, ip_address, port, username, protocol_version, node,
                                            dialect, dedup_key, source)
                SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::int[], $6::text[],
                                     $7::text[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[],
                                     $13::text[], $14::uuid[], $40::text[])
                ON CONFLICT (client_id, dedup_key, event_time) DO NOTHING
            """ + TimelineCounters.LOGGED_RETURNING + """
            )"""
                    + TimelineCounters.COUNT_LOGGED.replace("%", "%%") + """
            , rejected AS (
                INSERT INTO rejected_message (topic, dialect, reason, payload_size, payload, source)
                SELECT * FROM unnest($15::text[], $16::text[], $17::text[], $18::int[], $19::bytea[], $41::text[])
            ), delta AS (
                SELECT * FROM unnest($20::text[], $21::timestamptz[], $22::text[], $23::text[], $24::text[],
                                     $25::int[], $26::text[], $27::text[], $28::int[], $29::boolean[],
                                     $30::boolean[], $31::text[], $32::timestamptz[], $33::text[], $34::text[],
                                     $35::int[], $36::text[], $37::timestamptz[], $38::text[], $39::smallint[],
                                     $42::text[])
                    AS d(client_id, connect_time, connect_connection_id, protocol_version, ip_address, port,
                         username, node, keep_alive, clean_start, connect_closed, closing_ids, disconnect_time,
                         disconnect_connection_id, disconnect_initiator, disconnect_reason_code, disconnect_reason,
                         activity_time, activity_event, activity_rank, source)
            ), closing AS (
                SELECT jsonb_object_agg(client_id, closing_ids::jsonb) AS ids FROM delta WHERE closing_ids <> '[]'
            )
            , upserted AS (
            INSERT INTO client_state AS s (client_id, connect_time, connect_connection_id, protocol_version,
                    ip_address, port, username, node, keep_alive, clean_start, connect_closed, disconnect_time,
                    disconnect_connection_id, disconnect_initiator, disconnect_reason_code, disconnect_reason,
                    activity_time, activity_event, activity_rank, source)
            SELECT d.client_id, d.connect_time, d.connect_connection_id, d.protocol_version, d.ip_address, d.port,
                   d.username, d.node, d.keep_alive, d.clean_start,
                   -- a disconnect of this connection may have been stored by an earlier batch
                   d.connect_closed OR (d.connect_connection_id IS NOT NULL AND EXISTS (
                       SELECT 1 FROM connection_log l
                        WHERE l.client_id = d.client_id AND l.event = 'disconnected'
                          AND l.connection_id = d.connect_connection_id
                          -- a connection ends after it starts: the bound prunes the log's older day partitions
                          AND l.event_time >= d.connect_time - interval '1 hour')),
                   d.disconnect_time, d.disconnect_connection_id, d.disconnect_initiator, d.disconnect_reason_code,
                   d.disconnect_reason, d.activity_time, d.activity_event, d.activity_rank, d.source
              FROM delta d
            ON CONFLICT (client_id) DO UPDATE SET
            """ + assignments() + """
            ,
                connect_closed = CASE WHEN %1$s THEN EXCLUDED.connect_closed
                                      ELSE s.connect_closed OR %4$s END,
                -- any news newer than the start of a gap confirms the client again
                unconfirmed_since = CASE WHEN greatest(EXCLUDED.connect_time, EXCLUDED.disconnect_time,
                                                       EXCLUDED.activity_time) > s.unconfirmed_since
                                         THEN NULL ELSE s.unconfirmed_since END,
                updated_at = now()
            WHERE %1$s OR %2$s OR %3$s OR %4$s
            RETURNING %5$s)
            -- the batch's connect (disconnect) of a client is now the stored one: this change stored it
            , moved AS (
                SELECT u.*, d.connect_time IS NOT NULL AND u.connect_time = d.connect_time AS connect_moved,
                       d.disconnect_time IS NOT NULL AND u.disconnect_time = d.disconnect_time AS disconnect_moved
                  FROM upserted u JOIN delta d ON d.client_id = u.client_id)
            """
                    + RECORD_CHANGES.formatted("moved", "connect_moved", "disconnect_moved"))
            .formatted(NEWER_CONNECT, NEWER_DISCONNECT, NEWER_ACTIVITY, CLOSES_STORED, CHANGE_COLUMNS);

    private final Pool pool;
    private final FlappingRule flapping;

    StateRepository(Pool pool) {
        this(pool, FlappingRule.defaults());
    }

    @jakarta.inject.Inject
    StateRepository(Pool pool, FlappingRule flapping) {
        this.pool = pool;
        this.flapping = flapping;
    }

    /** The connect columns after time and connection id, nulls first, as {@link ClientDelta#CONNECT_ORDER}. */
    private static String connectTieBreak(String row) {
        List<String> keys = new ArrayList<>();
        for (String column : List.of(
                "ip_address", "port", "username", "protocol_version", "node", "keep_alive", "clean_start", "source")) {
            String value = switch (column) {
                case "port", "keep_alive" -> "coalesce(%s.%s, 0)";
                case "clean_start" -> "coalesce(%s.%s, false)";
                default -> "coalesce(%s.%s, '') COLLATE \"C\"";
            };
            keys.add(row + "." + column + " IS NOT NULL");
            keys.add(value.formatted(row, column));
        }
        return String.join(", ", keys);
    }

    private static String assignments() {
        List<String> sets = new ArrayList<>();
        CONNECT_COLUMNS.forEach(c -> sets.add(assignment(c, "%1$s")));
        DISCONNECT_COLUMNS.forEach(c -> sets.add(assignment(c, "%2$s")));
        ACTIVITY_COLUMNS.forEach(c -> sets.add(assignment(c, "%3$s")));
        return String.join(",\n", sets);
    }

    private static String assignment(String column, String condition) {
        return "    " + column + " = CASE WHEN " + condition + " THEN EXCLUDED." + column + " ELSE s." + column
                + " END";
    }

    /** Applies a batch in one statement (one round trip, one transaction); duplicates change nothing. */
    public Uni<Void> apply(IngestBatch batch) {
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Object> params = new ArrayList<>(41);
        Collection<LifecycleEvent> logRows = logRows(batch.events());
        Collection<ClientDelta> deltas = deltas(batch.events());
        addLogParams(params, logRows);
        addRejectionParams(params, batch.rejections());
        addDeltaParams(params, deltas);
        params.add(logRows.stream().map(LifecycleEvent::source).toArray(String[]::new));
        params.add(batch.rejections().stream().map(Rejection::source).toArray(String[]::new));
        params.add(deltas.stream()
                .map(d -> d.connect == null ? null : d.connect.source())
                .toArray(String[]::new));
        // flapping (CONTRACT §10.3) reads the log as this batch left it, so it runs after the batch statement
        java.util.Set<String> disconnecting = new java.util.TreeSet<>();
        batch.events().stream()
                .filter(e -> e.type() == EventType.DISCONNECTED)
                .forEach(e -> disconnecting.add(e.clientId()));
        Uni<Void> applied = inFeedTransaction(conn -> conn.preparedQuery(APPLY_BATCH)
                .execute(Tuple.from(params))
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
    public Uni<Integer> disconnectNode(
            String node, java.time.Instant at, java.time.Instant connectedUpTo, String dialect, String source) {
        return NodeStops.disconnect(pool, node, at, connectedUpTo, dialect, source);
    }

    /**
     * A source lost its broker session (it reconnected without one): its clients still shown connected may have
     * changed unseen since {@code since}. Says so in their state rather than inventing a disconnect.
     */
    public Uni<Integer> markUnconfirmed(String source, java.time.Instant since) {
        return pool.withTransaction(conn -> conn.query(LOCK_CHANGE_FEED)
                .execute()
                .chain(() -> conn.preparedQuery(
                                """
                        WITH marked AS (
                            UPDATE client_state SET unconfirmed_since = $2, updated_at = now()
                             WHERE source = $1 AND connection_status = 'connected' AND unconfirmed_since IS NULL
                               AND connect_time <= $2
                            RETURNING\s""" + CHANGE_COLUMNS + """
                        ), changes AS (
                            INSERT INTO state_change (""" + CHANGE_COLUMNS + """
                            ) SELECT\s""" + CHANGE_COLUMNS + """
                             FROM marked ORDER BY client_id RETURNING id)
                        SELECT count(*) AS marked, pg_notify('connmon_changes', max(id)::text) FROM changes""")
                        .execute(Tuple.of(source, utc(since))))
                .map(rows -> (int) (long) rows.iterator().next().getLong("marked")));
    }

    /** Forgets a client: its state and its connection log. Emits whether there was anything to forget. */
    public Uni<Boolean> delete(String clientId) {
        return pool.withTransaction(conn -> conn.query(LOCK_CHANGE_FEED)
                        .execute()
                        .chain(() -> conn.preparedQuery("""
                        WITH state AS (DELETE FROM client_state WHERE client_id = $1 RETURNING client_id),
                             log AS (DELETE FROM connection_log WHERE client_id = $1 RETURNING 1),
                             change AS (INSERT INTO state_change (client_id, deleted)
                                        SELECT client_id, true FROM state RETURNING id),
                             notified AS (SELECT pg_notify('connmon_changes', max(id)::text) FROM change
                                          HAVING count(*) > 0)
                        SELECT (SELECT count(*) FROM state) + (SELECT count(*) FROM log)
                               + (SELECT count(*) FROM notified) AS deleted""").execute(Tuple.of(clientId))))
                .map(rows -> rows.iterator().next().getLong("deleted") > 0);
    }

    /** Runs {@code work} in a transaction that holds the change-feed lock (see {@link #LOCK_CHANGE_FEED}). */
    private Uni<Void> inFeedTransaction(
            java.util.function.Function<
                            io.vertx.mutiny.sqlclient.SqlConnection, Uni<RowSet<io.vertx.mutiny.sqlclient.Row>>>
                    work) {
        return pool.withTransaction(conn -> conn.query(BEGIN_INGEST).execute().chain(() -> work.apply(conn)))
                .replaceWithVoid();
    }

    /** One row per distinct logged event; a duplicate inside the batch would otherwise meet itself. */
    private static Collection<LifecycleEvent> logRows(List<LifecycleEvent> events) {
        Map<String, LifecycleEvent> rows = new LinkedHashMap<>();
        for (LifecycleEvent event : events) {
            if (event.type().isLogged()) {
                rows.putIfAbsent(event.clientId() + '\u0000' + dedupKey(event), event);
            }
        }
        return rows.values();
    }

    /** Deltas in client id order, so that concurrent batches lock rows in the same order and cannot deadlock. */
    private static Collection<ClientDelta> deltas(List<LifecycleEvent> events) {
        Map<String, ClientDelta> deltas = new TreeMap<>();
        for (LifecycleEvent event : events) {
            if (ClientDelta.affectsState(event)) {
                deltas.computeIfAbsent(event.clientId(), ClientDelta::new).add(event);
            }
        }
        return deltas.values();
    }

    /**
     * A logged event's identity: a redelivery has the same, two different events do not, whatever order they come
     * in. The reason, user name, protocol, keep-alive and clean start are part of it: without them, two connects of
     * one millisecond (a source without connection ids, a takeover within a millisecond) or two failed attempts with
     * different reasons were one row, holding whichever arrived first. Events without any of those fields keep the
     * identity they had before these were added (fewer separators, so the two forms never meet). The node is part of
     * it too: it comes from the event itself (EMQX's topic, the canonical payload), and two nodes reporting a
     * disconnect of one millisecond are two connections ending (seen by OrderIndependenceTest: whichever came first
     * was kept). Source and dialect are left out: the same event reported through two paths is still one event.
     */
    static UUID dedupKey(LifecycleEvent e) {
        String identity = String.join(
                "\u0000",
                e.type().wireName(),
                Long.toString(e.time().toEpochMilli()),
                String.valueOf(e.connectionId()),
                e.initiator() == null ? "" : e.initiator().wireName(),
                String.valueOf(e.reasonCode()),
                String.valueOf(e.ipAddress()),
                String.valueOf(e.port()));
        if (e.reason() != null
                || e.username() != null
                || e.protocolVersion() != null
                || e.keepAlive() != null
                || e.cleanStart() != null
                || e.node() != null) {
            identity = String.join(
                    "\u0000",
                    identity,
                    String.valueOf(e.reason()),
                    String.valueOf(e.username()),
                    String.valueOf(e.protocolVersion()),
                    String.valueOf(e.keepAlive()),
                    String.valueOf(e.cleanStart()),
                    String.valueOf(e.node()));
        }
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8));
    }

    private static void addLogParams(List<Object> params, Collection<LifecycleEvent> rows) {
        int n = rows.size();
        String[] clientIds = new String[n],
                events = new String[n],
                initiators = new String[n],
                reasons = new String[n],
                connectionIds = new String[n],
                ips = new String[n],
                usernames = new String[n],
                protocols = new String[n],
                nodes = new String[n],
                dialects = new String[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        Integer[] codes = new Integer[n], ports = new Integer[n];
        UUID[] keys = new UUID[n];
        int i = 0;
        for (LifecycleEvent e : rows) {
            clientIds[i] = e.clientId();
            times[i] = utc(e.time());
            events[i] = e.type().wireName();
            initiators[i] = e.initiator() == null ? null : e.initiator().wireName();
            codes[i] = e.reasonCode();
            reasons[i] = e.reason();
            connectionIds[i] = e.connectionId();
            ips[i] = e.ipAddress();
            ports[i] = e.port();
            usernames[i] = e.username();
            protocols[i] = e.protocolVersion();
            nodes[i] = e.node();
            dialects[i] = e.dialect();
            keys[i] = dedupKey(e);
            i++;
        }
        params.addAll(List.of(
                clientIds,
                times,
                events,
                initiators,
                codes,
                reasons,
                connectionIds,
                ips,
                ports,
                usernames,
                protocols,
                nodes,
                dialects,
                keys));
    }

    private static void addRejectionParams(List<Object> params, List<Rejection> rejections) {
        int n = rejections.size();
        String[] topics = new String[n], dialects = new String[n], reasons = new String[n];
        Integer[] sizes = new Integer[n];
        Buffer[] payloads = new Buffer[n];
        for (int i = 0; i < n; i++) {
            Rejection r = rejections.get(i);
            topics[i] = r.topic();
            dialects[i] = r.dialect();
            reasons[i] = r.reason();
            sizes[i] = r.payloadSize();
            payloads[i] = Buffer.buffer(r.payload());
        }
        params.addAll(List.of(topics, dialects, reasons, sizes, payloads));
    }

    private static void addDeltaParams(List<Object> params, Collection<ClientDelta> deltas) {
        int n = deltas.size();
        String[] clientIds = new String[n],
                connIds = new String[n],
                protocols = new String[n],
                ips = new String[n],
                usernames = new String[n],
                nodes = new String[n],
                discConnIds = new String[n],
                initiators = new String[n],
                reasons = new String[n],
                activityEvents = new String[n];
        OffsetDateTime[] connectTimes = new OffsetDateTime[n],
                disconnectTimes = new OffsetDateTime[n],
                activityTimes = new OffsetDateTime[n];
        Integer[] ports = new Integer[n], keepAlives = new Integer[n], codes = new Integer[n];
        Boolean[] cleanStarts = new Boolean[n], closed = new Boolean[n];
        String[] closingIds = new String[n];
        Short[] ranks = new Short[n];
        int i = 0;
        for (ClientDelta d : deltas) {
            clientIds[i] = d.clientId;
            if (d.connect != null) {
                LifecycleEvent c = d.connect;
                connectTimes[i] = utc(c.time());
                connIds[i] = c.connectionId();
                protocols[i] = c.protocolVersion();
                ips[i] = c.ipAddress();
                ports[i] = c.port();
                usernames[i] = c.username();
                nodes[i] = c.node();
                keepAlives[i] = c.keepAlive();
                cleanStarts[i] = c.cleanStart();
            }
            closed[i] = d.connectClosed();
            closingIds[i] = new JsonArray(new ArrayList<>(d.closingConnectionIds)).encode();
            if (d.disconnect != null) {
                LifecycleEvent e = d.disconnect;
                disconnectTimes[i] = utc(e.time());
                discConnIds[i] = e.connectionId();
                initiators[i] = e.initiator() == null ? null : e.initiator().wireName();
                codes[i] = e.reasonCode();
                reasons[i] = e.reason();
            }
            if (d.activity != null) {
                activityTimes[i] = utc(d.activity.time());
                activityEvents[i] = d.activity.type().activityName();
                ranks[i] = (short) d.activity.type().activityRank();
            }
            i++;
        }
        params.addAll(List.of(
                clientIds,
                connectTimes,
                connIds,
                protocols,
                ips,
                ports,
                usernames,
                nodes,
                keepAlives,
                cleanStarts,
                closed,
                closingIds,
                disconnectTimes,
                discConnIds,
                initiators,
                codes,
                reasons,
                activityTimes,
                activityEvents,
                ranks));
    }

    private static OffsetDateTime utc(java.time.Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
