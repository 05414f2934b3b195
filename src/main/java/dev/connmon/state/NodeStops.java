package dev.connmon.state;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Mqtt5DisconnectReasonCode;
import dev.connmon.lifecycle.ReasonCodes;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * A broker node that stopped ended every connection through it: Mosquitto's "terminating" line, connmon's own
 * embedded broker stopping with connmon, or found crashed at its next start. One statement, under the change-feed
 * lock like every ingest batch, so SSE and the monitoring topic see the disconnects as any others.
 */
final class NodeStops {
    /** Nor before what the client did: its connect and its last activity show that the broker was up then. */
    private static final String ENDED = "greatest($2, s.connect_time, s.activity_time)";

    private static final String DISCONNECT = ("""
            WITH stopped AS (
                UPDATE client_state s SET
                    disconnect_time = ENDED, disconnect_connection_id = s.connect_connection_id,
                    disconnect_initiator = 'server', disconnect_reason_code = CODE,
                    disconnect_reason = REASON, connect_closed = true,
                    activity_time = ENDED, activity_event = 'mqttDisconnect', activity_rank = 5,
                    updated_at = now()
                 WHERE s.node = $1 AND s.connection_status = 'connected' AND s.connect_time <= $5
                RETURNING s.connect_connection_id, """ + StateChanges.COLUMNS.replace("client_id,", "s.client_id,")
                    + """
            ), logged AS (
            INSERT INTO connection_log (client_id, event_time, event, initiator, reason_code, reason,
                                        connection_id, node, dialect, source, dedup_key)
            SELECT client_id, disconnect_time, 'disconnected', 'server', CODE, REASON,
                   connect_connection_id, $1, $3, $4, md5('broker_stopped' || client_id || disconnect_time::text)::uuid
              FROM stopped
            ON CONFLICT (client_id, dedup_key, event_time) DO NOTHING""" + TimelineCounters.LOGGED_RETURNING + """
            )""" + TimelineCounters.COUNT_LOGGED
                    + StateChanges.CHANGES.formatted("stopped", "false", "true") + """
            SELECT count(*) AS disconnected,
                   (SELECT NOTIFY_NEWEST HAVING count(*) > 0)
              FROM changes""")
            .replace("ENDED", ENDED)
            .replace("CODE", Integer.toString(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN.code()))
            .replace(
                    "REASON",
                    "'"
                            + ReasonCodes.describe(
                                    EventType.DISCONNECTED, Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN.code(), null)
                            + "'")
            .replace("NOTIFY_NEWEST", StateChanges.NOTIFY_NEWEST.formatted("changes"));

    private NodeStops() {}

    /**
     * Every client still shown connected through broker node {@code node} whose connect is not after
     * {@code connectedUpTo} is disconnected by the server with 0x8B "Server shutting down", in state, log and change
     * feed, at {@code at}, or at its connect or last activity when that is later (a connection does not end before
     * it starts). Emits how many were disconnected.
     */
    static Uni<Integer> disconnect(
            Pool pool, String node, Instant at, Instant connectedUpTo, String dialect, String source) {
        return pool.withTransaction(conn -> conn.query(StateChanges.BEGIN_INGEST)
                        .execute()
                        .chain(() -> conn.preparedQuery(DISCONNECT)
                                .execute(Tuple.of(
                                        node,
                                        at.atOffset(ZoneOffset.UTC),
                                        dialect,
                                        source,
                                        connectedUpTo.atOffset(ZoneOffset.UTC)))))
                .map(rows -> (int) (long) rows.iterator().next().getLong("disconnected"));
    }
}
