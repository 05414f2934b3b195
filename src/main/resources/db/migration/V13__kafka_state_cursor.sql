-- How far the Kafka state topic has been published (connmon.kafka.state-topic): the second row of monitor_cursor,
-- beside the MQTT monitoring topic's. It starts at the oldest change the feed still holds, so a new state topic
-- receives every client whose state changed within the feed's retention.
ALTER TABLE monitor_cursor DROP CONSTRAINT monitor_cursor_id_check;
ALTER TABLE monitor_cursor ADD CONSTRAINT monitor_cursor_id_check CHECK (id IN (1, 2));
INSERT INTO monitor_cursor (id, change_id) VALUES (2, 0);
