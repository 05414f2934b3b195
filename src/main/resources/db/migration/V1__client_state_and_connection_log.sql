-- Current state per client. Each group of columns (connect, disconnect, activity) holds the newest event of its
-- kind by event time, so the row is the same whatever order events arrive in. Text that takes part in ordering
-- or prefix matching uses the "C" collation: byte order, equal to the order connmon uses in Java, and usable by
-- btree range scans for id prefixes.
CREATE TABLE client_state (
    client_id                 text COLLATE "C" PRIMARY KEY,

    connect_time              timestamptz(3),
    connect_connection_id     text COLLATE "C",
    protocol_version          text,
    ip_address                text,
    port                      integer,
    username                  text,
    node                      text,
    keep_alive                integer,
    clean_start               boolean,
    -- true once a disconnect carrying this connect's connection id is known, in whatever order the two arrived
    connect_closed            boolean NOT NULL DEFAULT false,

    disconnect_time           timestamptz(3),
    disconnect_connection_id  text COLLATE "C",
    disconnect_initiator      text COLLATE "C",
    disconnect_reason_code    integer,
    disconnect_reason         text COLLATE "C",

    activity_time             timestamptz(3),
    activity_event            text,
    activity_rank             smallint,

    unconfirmed_since         timestamptz(3),
    updated_at                timestamptz(3) NOT NULL DEFAULT now(),

    -- A disconnect ends the newest connect when it names the same connection, or, when either side has no
    -- connection id, when it is not older than that connect.
    connection_status text GENERATED ALWAYS AS (
        CASE
            WHEN connect_time IS NULL THEN 'disconnected'
            WHEN connect_closed THEN 'disconnected'
            WHEN disconnect_time IS NOT NULL
                 AND (connect_connection_id IS NULL OR disconnect_connection_id IS NULL)
                 AND disconnect_time >= connect_time THEN 'disconnected'
            ELSE 'connected'
        END) STORED
);

CREATE INDEX client_state_status_idx ON client_state (connection_status, client_id);
CREATE INDEX client_state_connect_time_idx ON client_state (connect_time, client_id);
CREATE INDEX client_state_disconnect_time_idx ON client_state (disconnect_time, client_id);
CREATE INDEX client_state_activity_time_idx ON client_state (activity_time, client_id);

-- Append-only connection log: connects, failed attempts and disconnects. dedup_key is a hash of the event's
-- identity, so a duplicate delivery adds no second row.
CREATE TABLE connection_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id      text COLLATE "C" NOT NULL,
    event_time     timestamptz(3) NOT NULL,
    event          text NOT NULL,
    initiator      text,
    reason_code    integer,
    reason         text,
    connection_id  text COLLATE "C",
    ip_address     text,
    port           integer,
    username       text,
    protocol_version text,
    node           text,
    dialect        text NOT NULL,
    dedup_key      uuid NOT NULL,
    received_at    timestamptz(3) NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX connection_log_dedup_idx ON connection_log (client_id, dedup_key);
CREATE INDEX connection_log_client_time_idx ON connection_log (client_id, event_time DESC, id DESC);
CREATE INDEX connection_log_disconnect_idx ON connection_log (client_id, connection_id)
    WHERE event = 'disconnected' AND connection_id IS NOT NULL;

-- Messages no dialect could decode, kept for inspection (GET /api/v0002/rejected).
CREATE TABLE rejected_message (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at   timestamptz(3) NOT NULL DEFAULT now(),
    topic         text NOT NULL,
    dialect       text,
    reason        text NOT NULL,
    payload_size  integer NOT NULL,
    payload       bytea NOT NULL
);

CREATE INDEX rejected_message_received_idx ON rejected_message (received_at DESC, id DESC);
