-- Fleet timeline (CONTRACT §10.2), kept small enough that a one-day timeline reads ~1 440 minutes × the fleet's
-- (client type, device type) pairs, whatever the number of clients:
-- - fleet_event_minute: events stored per minute of event time, counted by the ingest statement from the log rows
--   it actually inserted (a duplicate adds no row, so it adds no count); see dev.connmon.state.TimelineCounters.
-- - fleet_sample: connected / disconnected counts per pair, written by one instance every
--   connmon.timeline.sample-interval (dev.connmon.state.TimelineSampler). Each sample also has a row with
--   client_type '' (the marker: this time was sampled, even for an empty fleet). No sample near a time = no record.
CREATE TABLE fleet_event_minute (
    minute               timestamptz(0) NOT NULL,
    client_type          text COLLATE "C" NOT NULL,
    device_type          text COLLATE "C" NOT NULL,
    connects             bigint NOT NULL,
    failed_connects      bigint NOT NULL,
    disconnects_client   bigint NOT NULL,
    disconnects_server   bigint NOT NULL,
    disconnects_network  bigint NOT NULL,
    disconnects_unknown  bigint NOT NULL,
    PRIMARY KEY (minute, client_type, device_type)
);

CREATE TABLE fleet_sample (
    sampled_at    timestamptz(3) NOT NULL,
    client_type   text COLLATE "C" NOT NULL,
    device_type   text COLLATE "C" NOT NULL,
    connected     bigint NOT NULL,
    disconnected  bigint NOT NULL,
    PRIMARY KEY (sampled_at, client_type, device_type)
);
