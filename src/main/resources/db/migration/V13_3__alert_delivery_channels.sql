-- Alert deliveries on every channel of a rule (docs/api.md §11): the webhook, Alertmanager, PagerDuty, Slack, Teams.
-- A delivery's channel; deliveries of one alert go out in order per channel, each channel on its own.
ALTER TABLE alert_delivery ADD COLUMN channel text NOT NULL DEFAULT 'webhook';
ALTER TABLE alert_delivery ALTER COLUMN channel DROP DEFAULT;
-- only the webhook keeps its URL here; the other channels' addresses are secrets, read from the rule when sent
ALTER TABLE alert_delivery ALTER COLUMN webhook DROP NOT NULL;
ALTER TABLE alert_delivery DROP CONSTRAINT alert_delivery_alert_id_seq_key;
ALTER TABLE alert_delivery ADD CONSTRAINT alert_delivery_alert_id_channel_seq_key UNIQUE (alert_id, channel, seq);
