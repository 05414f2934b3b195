-- The connection log, partitioned by day of event time (UTC), so that retention drops whole days (DROP TABLE: no
-- long DELETE, no bloat, no vacuum debt) while ingestion goes on. Partitions are made ahead of time by
-- connmon_log_partitions(); an event whose day has no partition (a late one older than the retention, a clock far in
-- the future) lands in connection_log_default and moves to its day's partition when that day is made.
--
-- A unique index on a partitioned table must hold the partition key: the dedup key already hashes the event time
-- (StateRepository.dedupKey), so (client_id, dedup_key, event_time) deduplicates exactly what (client_id, dedup_key)
-- did.
CREATE SEQUENCE connection_log_entry_id_seq AS bigint;

CREATE TABLE connection_log_partitioned (
    id               bigint NOT NULL DEFAULT nextval('connection_log_entry_id_seq'),
    client_id        text COLLATE "C" NOT NULL,
    event_time       timestamptz(3) NOT NULL,
    event            text NOT NULL,
    initiator        text,
    reason_code      integer,
    reason           text,
    connection_id    text COLLATE "C",
    ip_address       text,
    port             integer,
    username         text,
    protocol_version text,
    node             text,
    dialect          text NOT NULL,
    dedup_key        uuid NOT NULL,
    received_at      timestamptz(3) NOT NULL DEFAULT now(),
    device_type      text COLLATE "C" GENERATED ALWAYS AS (substring(client_id FROM '^[dg]:[^:]*:([^:]*):')) STORED,
    device_id        text COLLATE "C" GENERATED ALWAYS AS (substring(client_id FROM '^[dg]:[^:]*:[^:]*:(.*)$')) STORED,
    source           text
) PARTITION BY RANGE (event_time);

ALTER SEQUENCE connection_log_entry_id_seq OWNED BY connection_log_partitioned.id;

CREATE TABLE connection_log_default PARTITION OF connection_log_partitioned DEFAULT;

INSERT INTO connection_log_partitioned (id, client_id, event_time, event, initiator, reason_code, reason,
                                        connection_id, ip_address, port, username, protocol_version, node, dialect,
                                        dedup_key, received_at, source)
SELECT id, client_id, event_time, event, initiator, reason_code, reason, connection_id, ip_address, port, username,
       protocol_version, node, dialect, dedup_key, received_at, source
  FROM connection_log;

SELECT setval('connection_log_entry_id_seq', coalesce((SELECT max(id) FROM connection_log), 0) + 1, false);

DROP TABLE connection_log;
ALTER TABLE connection_log_partitioned RENAME TO connection_log;

CREATE UNIQUE INDEX connection_log_dedup_idx ON connection_log (client_id, dedup_key, event_time);
CREATE INDEX connection_log_client_time_idx ON connection_log (client_id, event_time DESC, id DESC);
CREATE INDEX connection_log_disconnect_idx ON connection_log (client_id, connection_id)
    WHERE event = 'disconnected' AND connection_id IS NOT NULL;
CREATE INDEX connection_log_device_idx ON connection_log (device_type, device_id, event_time DESC, id DESC)
    WHERE device_type IS NOT NULL;

-- Makes the daily partitions from first_day to last_day that do not exist yet; rows the default partition holds for
-- such a day move into it (PostgreSQL refuses a new partition while the default holds rows of its range). Serialized
-- by an advisory lock, so that several instances can run it at once. Returns how many partitions it made.
CREATE FUNCTION connmon_log_partitions(first_day date, last_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    day     date := first_day;
    made    integer := 0;
    name    text;
    lo      timestamptz;
    hi      timestamptz;
    columns constant text := 'id, client_id, event_time, event, initiator, reason_code, reason, connection_id, '
        || 'ip_address, port, username, protocol_version, node, dialect, dedup_key, received_at, source';
BEGIN
    PERFORM pg_advisory_xact_lock(7239043);
    WHILE day <= last_day LOOP
        name := 'connection_log_' || to_char(day, 'YYYYMMDD');
        IF to_regclass(name) IS NULL THEN
            lo := day::timestamp AT TIME ZONE 'UTC';
            hi := (day + 1)::timestamp AT TIME ZONE 'UTC';
            IF EXISTS (SELECT 1 FROM connection_log_default WHERE event_time >= lo AND event_time < hi) THEN
                EXECUTE format('CREATE TEMP TABLE connmon_moving ON COMMIT DROP AS SELECT %s FROM connection_log_default '
                               'WHERE event_time >= $1 AND event_time < $2', columns) USING lo, hi;
                DELETE FROM connection_log_default WHERE event_time >= lo AND event_time < hi;
                EXECUTE format('CREATE TABLE %I PARTITION OF connection_log FOR VALUES FROM (%L) TO (%L)',
                               name, lo, hi);
                EXECUTE format('INSERT INTO connection_log (%s) SELECT %s FROM connmon_moving', columns, columns);
                DROP TABLE connmon_moving;
            ELSE
                EXECUTE format('CREATE TABLE %I PARTITION OF connection_log FOR VALUES FROM (%L) TO (%L)',
                               name, lo, hi);
            END IF;
            made := made + 1;
        END IF;
        day := day + 1;
    END LOOP;
    RETURN made;
END $$;

-- Drops the daily partitions that end at or before cutoff, and deletes the default partition's rows older than it
-- (strays only: late events of days that had no partition). Returns how many partitions it dropped.
CREATE FUNCTION connmon_drop_log_partitions(cutoff timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    part    record;
    dropped integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(7239043);
    FOR part IN
        SELECT c.relname
          FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'connection_log'::regclass
           AND c.relname ~ '^connection_log_[0-9]{8}$'
           AND (to_date(substring(c.relname FROM 16), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff
    LOOP
        EXECUTE format('DROP TABLE %I', part.relname);
        dropped := dropped + 1;
    END LOOP;
    DELETE FROM connection_log_default WHERE event_time < cutoff;
    RETURN dropped;
END $$;

-- Today's partitions exist from the start; the retention job keeps making them ahead (see TableRetention).
SELECT connmon_log_partitions((now() AT TIME ZONE 'UTC')::date - 1, (now() AT TIME ZONE 'UTC')::date + 3);
