package dev.connmon.state;

import static dev.connmon.state.ArrayColumns.bool;
import static dev.connmon.state.ArrayColumns.bytes;
import static dev.connmon.state.ArrayColumns.integer;
import static dev.connmon.state.ArrayColumns.text;
import static dev.connmon.state.ArrayColumns.time;
import static dev.connmon.state.ArrayColumns.uuid;

import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.ArrayColumns.Column;
import io.vertx.core.json.JsonArray;
import io.vertx.mutiny.sqlclient.Tuple;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The ingest statement: a whole batch in one statement, so one round trip and one transaction. The
 * batch's log rows, rejections and per-client deltas are array parameters, one per column, turned back into rows by
 * unnest; each delta is upserted into client_state, where each of its newest connect, disconnect and activity
 * replaces the stored one only when newer ({@link Newest}); the rows that changed are recorded in the change feed.
 * <p>
 * The columns of each table are listed once, below: the statement's column lists, its parameter numbers and the
 * arrays bound to them are all made from these lists. To write another column, add it to its list (and, for the
 * state, to its {@link Newest} group).
 */
final class BatchStatement {
    private BatchStatement() {}

    /** A logged event and its identity, computed once: the MD5 of a dozen fields is the log's dearest column. */
    record Logged(LifecycleEvent event, UUID dedupKey) {}

    /** connection_log: one row per distinct logged event. */
    static final ArrayColumns<Logged> LOG = new ArrayColumns<>(List.of(
            text("client_id", event(LifecycleEvent::clientId)),
            time("event_time", event(LifecycleEvent::time)),
            text("event", event(e -> e.type().wireName())),
            text(
                    "initiator",
                    event(e -> e.initiator() == null ? null : e.initiator().wireName())),
            integer("reason_code", event(LifecycleEvent::reasonCode)),
            text("reason", event(LifecycleEvent::reason)),
            text("connection_id", event(LifecycleEvent::connectionId)),
            text("ip_address", event(LifecycleEvent::ipAddress)),
            integer("port", event(LifecycleEvent::port)),
            text("username", event(LifecycleEvent::username)),
            text("protocol_version", event(LifecycleEvent::protocolVersion)),
            text("node", event(LifecycleEvent::node)),
            text("dialect", event(LifecycleEvent::dialect)),
            uuid("dedup_key", Logged::dedupKey),
            text("source", event(LifecycleEvent::source))));

    private static <V> Function<Logged, V> event(Function<LifecycleEvent, V> field) {
        return logged -> field.apply(logged.event());
    }

    /** rejected_message: the messages no dialect could decode. */
    static final ArrayColumns<Rejection> REJECTED = new ArrayColumns<>(List.of(
            text("topic", Rejection::topic),
            text("dialect", Rejection::dialect),
            text("reason", Rejection::reason),
            integer("payload_size", Rejection::payloadSize),
            bytes("payload", Rejection::payload),
            text("source", Rejection::source)));

    /**
     * The delta CTE: per client of the batch, its newest connect, disconnect and activity ({@link ClientDelta}),
     * whether the batch also closes that connect, and the connection ids the batch's disconnects close.
     */
    static final ArrayColumns<ClientDelta> DELTA = new ArrayColumns<>(Stream.of(
                    List.of(text("client_id", (ClientDelta d) -> d.clientId)),
                    Newest.CONNECT.ofDeltas(),
                    List.of(
                            bool("connect_closed", ClientDelta::connectClosed),
                            text(
                                    "closing_ids",
                                    (ClientDelta d) ->
                                            new JsonArray(new ArrayList<>(d.closingConnectionIds)).encode())),
                    Newest.DISCONNECT.ofDeltas(),
                    Newest.ACTIVITY.ofDeltas())
            .flatMap(List::stream)
            .toList());

    /**
     * A disconnect in this batch names the stored connect's connection. The batch's closing ids are looked up in
     * one jsonb object by client id (CTE closing, built once per statement): a lookup in the delta CTE scanned the
     * whole batch for every row, O(n²), most of a 1000-event statement's time.
     */
    private static final String CLOSES_STORED = """
            (NOT s.connect_closed AND s.connect_connection_id IS NOT NULL
              AND coalesce(jsonb_exists((SELECT c.ids FROM closing c) -> EXCLUDED.client_id,
                                        s.connect_connection_id), false))""";

    /** A connect is closed by a disconnect of its connection, in this batch or stored by an earlier one. */
    private static final String CONNECT_CLOSED = """
            d.connect_closed OR (d.connect_connection_id IS NOT NULL AND EXISTS (
                       SELECT 1 FROM connection_log l
                        WHERE l.client_id = d.client_id AND l.event = 'disconnected'
                          AND l.connection_id = d.connect_connection_id
                          -- a connection ends after it starts: the bound prunes the log's older day partitions
                          AND l.event_time >= d.connect_time - interval '1 hour'))""";

    static final String SQL = ("""
            WITH logged AS (
                INSERT INTO connection_log (LOG_COLUMNS)
                SELECT * FROM LOG_ROWS
                ON CONFLICT (client_id, dedup_key, event_time) DO NOTHING
            """ + TimelineCounters.LOGGED_RETURNING + ")" + TimelineCounters.COUNT_LOGGED + """
            , rejected AS (
                INSERT INTO rejected_message (REJECTED_COLUMNS)
                SELECT * FROM REJECTED_ROWS
            ), delta AS (
                SELECT * FROM DELTA_ROWS AS d(DELTA_COLUMNS)
            ), closing AS (
                SELECT jsonb_object_agg(client_id, closing_ids::jsonb) AS ids FROM delta WHERE closing_ids <> '[]'
            )
            , upserted AS (
            INSERT INTO client_state AS s (STATE_COLUMNS)
            SELECT STATE_VALUES
              FROM delta d
            ON CONFLICT (client_id) DO UPDATE SET
            NEWEST_ASSIGNMENTS,
                connect_closed = CASE WHEN NEWER_CONNECT THEN EXCLUDED.connect_closed
                                      ELSE s.connect_closed OR CLOSES_STORED END,
                -- any news newer than the start of a gap confirms the client again
                unconfirmed_since = CASE WHEN greatest(EXCLUDED.connect_time, EXCLUDED.disconnect_time,
                                                       EXCLUDED.activity_time) > s.unconfirmed_since
                                         THEN NULL ELSE s.unconfirmed_since END,
                updated_at = now()
            WHERE NEWER_CONNECT OR NEWER_DISCONNECT OR NEWER_ACTIVITY OR CLOSES_STORED
            RETURNING CHANGE_COLUMNS)
            -- the batch's connect (disconnect) of a client is now the stored one: this change stored it
            , moved AS (
                SELECT u.*, d.connect_time IS NOT NULL AND u.connect_time = d.connect_time AS connect_moved,
                       d.disconnect_time IS NOT NULL AND u.disconnect_time = d.disconnect_time AS disconnect_moved
                  FROM upserted u JOIN delta d ON d.client_id = u.client_id)
            """
                    + StateChanges.RECORD_CHANGES.formatted("moved", "connect_moved", "disconnect_moved"))
            .replace("LOG_COLUMNS", LOG.names())
            .replace("LOG_ROWS", LOG.unnest(1))
            .replace("REJECTED_COLUMNS", REJECTED.names())
            .replace("REJECTED_ROWS", REJECTED.unnest(1 + LOG.size()))
            .replace("DELTA_COLUMNS", DELTA.names())
            .replace("DELTA_ROWS", DELTA.unnest(1 + LOG.size() + REJECTED.size()))
            .replace("STATE_COLUMNS", stateColumns().collect(Collectors.joining(", ")))
            .replace(
                    "STATE_VALUES",
                    stateColumns().map(BatchStatement::stateValue).collect(Collectors.joining(", ")))
            .replace("NEWEST_ASSIGNMENTS", assignments())
            .replace("NEWER_CONNECT", Newest.CONNECT.newer())
            .replace("NEWER_DISCONNECT", Newest.DISCONNECT.newer())
            .replace("NEWER_ACTIVITY", Newest.ACTIVITY.newer())
            .replace("CLOSES_STORED", CLOSES_STORED)
            .replace("CHANGE_COLUMNS", StateChanges.COLUMNS);

    /** The parameters of {@link #SQL} for a batch: the log's arrays, the rejections', the deltas'. */
    static Tuple parameters(IngestBatch batch) {
        List<Object> parameters = new ArrayList<>(LOG.size() + REJECTED.size() + DELTA.size());
        parameters.addAll(LOG.arrays(logRows(batch.events())));
        parameters.addAll(REJECTED.arrays(batch.rejections()));
        parameters.addAll(DELTA.arrays(deltas(batch.events())));
        return Tuple.from(parameters);
    }

    /** The client_state columns the upsert inserts: the delta's, but the closing ids (only for the lookup). */
    private static Stream<String> stateColumns() {
        return DELTA.columns().stream().map(Column::name).filter(name -> !name.equals("closing_ids"));
    }

    private static String stateValue(String column) {
        return column.equals("connect_closed") ? CONNECT_CLOSED : "d." + column;
    }

    /** Each column of a newest event takes the incoming value when that event is newer, else keeps its own. */
    private static String assignments() {
        List<String> sets = new ArrayList<>();
        for (Newest newest : List.of(Newest.CONNECT, Newest.DISCONNECT, Newest.ACTIVITY)) {
            for (Column<?> column : newest.columns()) {
                String c = column.name();
                sets.add("    " + c + " = CASE WHEN " + newest.newer() + " THEN EXCLUDED." + c + " ELSE s." + c
                        + " END");
            }
        }
        return String.join(",\n", sets);
    }

    /** One row per distinct logged event; a duplicate inside the batch would otherwise meet itself. */
    private static Collection<Logged> logRows(List<LifecycleEvent> events) {
        Map<String, Logged> rows = new LinkedHashMap<>();
        for (LifecycleEvent event : events) {
            if (event.type().isLogged()) {
                UUID key = dedupKey(event);
                rows.putIfAbsent(event.clientId() + '\u0000' + key, new Logged(event, key));
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
        return nameUuid(identity.getBytes(StandardCharsets.UTF_8));
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required algorithm of every Java platform", e);
        }
    });

    /**
     * {@link UUID#nameUUIDFromBytes}, with a digest per thread: that method looks MD5 up among the security providers
     * on every call, which was most of its cost (6 % of connmon's CPU in a reconnect storm). Same bits: version 3.
     */
    static UUID nameUuid(byte[] name) {
        MessageDigest md5 = MD5.get();
        byte[] hash = md5.digest(name);
        hash[6] = (byte) ((hash[6] & 0x0f) | 0x30);
        hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
        ByteBuffer bits = ByteBuffer.wrap(hash);
        return new UUID(bits.getLong(), bits.getLong());
    }
}
