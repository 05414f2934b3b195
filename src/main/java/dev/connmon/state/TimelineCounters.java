package dev.connmon.state;

/**
 * The per-minute event counters of the fleet timeline (docs/api.md §10.2, table fleet_event_minute), kept by the
 * statements that write the connection log, in their own transaction: a CTE over the rows their {@code logged} CTE
 * returns, that is the rows actually inserted, so redeliveries and duplicates count nothing.
 */
final class TimelineCounters {
    /** What the {@code logged} CTE returns for the counters. */
    static final String LOGGED_RETURNING = " RETURNING client_id, event_time, event, initiator, device_type";

    /** The client type as client_state computes it (V2 migration). */
    static final String CLIENT_TYPE = """
            CASE WHEN client_id LIKE 'd:%' THEN 'device'
                 WHEN client_id LIKE 'a:%' OR client_id LIKE 'A:%' THEN 'application'
                 WHEN client_id LIKE 'g:%' THEN 'gateway'
                 ELSE 'client' END""";

    /** Appended after the {@code logged} CTE. */
    static final String COUNT_LOGGED = """
            , counted AS (
                INSERT INTO fleet_event_minute AS m (minute, client_type, device_type, connects, failed_connects,
                        disconnects_client, disconnects_server, disconnects_network, disconnects_unknown)
                SELECT date_trunc('minute', event_time), CLIENT_TYPE, coalesce(device_type, ''),
                       count(*) FILTER (WHERE event = 'connected'),
                       count(*) FILTER (WHERE event = 'connect_failed'),
                       count(*) FILTER (WHERE event = 'disconnected' AND initiator = 'client'),
                       count(*) FILTER (WHERE event = 'disconnected' AND initiator = 'server'),
                       count(*) FILTER (WHERE event = 'disconnected' AND initiator = 'network'),
                       count(*) FILTER (WHERE event = 'disconnected'
                                        AND (initiator IS NULL OR initiator NOT IN ('client', 'server', 'network')))
                  FROM logged GROUP BY 1, 2, 3
                ON CONFLICT (minute, client_type, device_type) DO UPDATE SET
                    connects = m.connects + EXCLUDED.connects,
                    failed_connects = m.failed_connects + EXCLUDED.failed_connects,
                    disconnects_client = m.disconnects_client + EXCLUDED.disconnects_client,
                    disconnects_server = m.disconnects_server + EXCLUDED.disconnects_server,
                    disconnects_network = m.disconnects_network + EXCLUDED.disconnects_network,
                    disconnects_unknown = m.disconnects_unknown + EXCLUDED.disconnects_unknown)
            """.replace("CLIENT_TYPE", CLIENT_TYPE);

    private TimelineCounters() {}
}
