-- Every state change, as the state was right after it: the feed behind SSE (replay after Last-Event-ID) and the
-- MQTT monitoring topic. Rows get their ids under a transaction-scoped advisory lock (see StateRepository), so ids
-- become visible in id order: a reader that has seen id N has seen every change below N.
CREATE TABLE state_change (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    changed_at                timestamptz(3) NOT NULL DEFAULT now(),
    deleted                   boolean NOT NULL DEFAULT false,
    client_id                 text COLLATE "C" NOT NULL,
    client_type               text,
    connection_status         text,
    connect_time              timestamptz(3),
    disconnect_time           timestamptz(3),
    activity_event            text,
    activity_time             timestamptz(3),
    protocol_version          text,
    disconnect_initiator      text,
    disconnect_reason_code    integer,
    disconnect_reason         text,
    ip_address                text,
    username                  text,
    node                      text,
    unconfirmed_since         timestamptz(3)
);

CREATE INDEX state_change_changed_at_idx ON state_change (changed_at);
