-- Watson id parts ({d,g}:{org}:{type}:{id}; a:/A: applications) as columns, so that clientType, deviceType and
-- deviceId filters use indexes.
ALTER TABLE client_state
    ADD COLUMN client_type text GENERATED ALWAYS AS (
        CASE
            WHEN client_id LIKE 'd:%' THEN 'device'
            WHEN client_id LIKE 'a:%' OR client_id LIKE 'A:%' THEN 'application'
            WHEN client_id LIKE 'g:%' THEN 'gateway'
            ELSE 'client'
        END) STORED,
    ADD COLUMN device_type text COLLATE "C" GENERATED ALWAYS AS (
        substring(client_id FROM '^[dg]:[^:]*:([^:]*):')) STORED,
    ADD COLUMN device_id text COLLATE "C" GENERATED ALWAYS AS (
        substring(client_id FROM '^[dg]:[^:]*:[^:]*:(.*)$')) STORED;

ALTER TABLE connection_log
    ADD COLUMN device_type text COLLATE "C" GENERATED ALWAYS AS (
        substring(client_id FROM '^[dg]:[^:]*:([^:]*):')) STORED,
    ADD COLUMN device_id text COLLATE "C" GENERATED ALWAYS AS (
        substring(client_id FROM '^[dg]:[^:]*:[^:]*:(.*)$')) STORED;

-- Keyset pagination sorts on (time, client_id) with absent times first: the sort keys below replace NULL by
-- -infinity so that every row has a position and one btree serves both directions.
DROP INDEX client_state_connect_time_idx;
DROP INDEX client_state_disconnect_time_idx;
DROP INDEX client_state_activity_time_idx;
CREATE INDEX client_state_connect_key_idx
    ON client_state ((coalesce(connect_time, '-infinity'::timestamptz)), client_id);
CREATE INDEX client_state_disconnect_key_idx
    ON client_state ((coalesce(disconnect_time, '-infinity'::timestamptz)), client_id);
CREATE INDEX client_state_activity_key_idx
    ON client_state ((coalesce(activity_time, '-infinity'::timestamptz)), client_id);
CREATE INDEX client_state_type_idx ON client_state (client_type, client_id);
CREATE INDEX client_state_device_type_idx ON client_state (device_type, client_id) WHERE device_type IS NOT NULL;
-- "which sensors are offline": the Watson type with the status is a question of its own
CREATE INDEX client_state_device_type_status_idx ON client_state (device_type, connection_status, client_id)
    WHERE device_type IS NOT NULL;
CREATE INDEX client_state_device_id_idx ON client_state (device_id, client_id) WHERE device_id IS NOT NULL;
CREATE INDEX client_state_initiator_idx ON client_state (disconnect_initiator, client_id);
CREATE INDEX client_state_reason_code_idx ON client_state (disconnect_reason_code, client_id);

CREATE INDEX connection_log_device_idx ON connection_log (device_type, device_id, event_time DESC, id DESC)
    WHERE device_type IS NOT NULL;
