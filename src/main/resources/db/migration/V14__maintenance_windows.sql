-- Maintenance windows (docs/api.md §10.6): planned time in which the clients that a window's filter names are neither
-- up nor down, and open no alert. Kept here, not in memory, so that they survive restarts and every instance sees
-- the same ones.
CREATE TABLE maintenance_window (
    id         bigserial PRIMARY KEY,
    -- the list API's filter syntax, as given; only the filters on who a client is (its id and the types in it)
    filter     text           NOT NULL,
    starts_at  timestamptz(3) NOT NULL,
    -- ending one early moves this to the time it was ended
    ends_at    timestamptz(3) NOT NULL,
    reason     text           NOT NULL,
    created_at timestamptz(3) NOT NULL,
    created_by text           NOT NULL,
    CHECK (starts_at < ends_at)
);
-- the current and future windows, which every instance reads every second; and a client's past ones by time
CREATE INDEX maintenance_window_ends_idx ON maintenance_window (ends_at, starts_at);
