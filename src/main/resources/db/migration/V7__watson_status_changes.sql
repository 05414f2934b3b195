-- What the Watson status topics (CONTRACT §7) need of a change: whether it stored a new connect or a new
-- disconnect (a Watson message goes out for those, not for activity), the connection's port and clean start
-- ("Durable" is its opposite). Older changes have neither: they are never published again anyway.
ALTER TABLE state_change
    ADD COLUMN port             integer,
    ADD COLUMN clean_start      boolean,
    ADD COLUMN connect_moved    boolean NOT NULL DEFAULT false,
    ADD COLUMN disconnect_moved boolean NOT NULL DEFAULT false;
