-- How far the MQTT monitoring topic has been published: a new publisher (after a restart or on another instance)
-- resumes from here, so no change is left unpublished.
CREATE TABLE monitor_cursor (
    id         smallint PRIMARY KEY CHECK (id = 1),
    change_id  bigint NOT NULL
);
INSERT INTO monitor_cursor (id, change_id) VALUES (1, 0);
