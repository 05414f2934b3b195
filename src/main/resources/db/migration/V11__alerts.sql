-- Alerts (CONTRACT §11): one row per episode, opened once and resolved once, whichever instance evaluates.
CREATE TABLE alert (
    id           bigserial PRIMARY KEY,
    rule         text        NOT NULL,
    condition    text        NOT NULL,
    -- null for a fleet-drop alert, which is about the rule's clients together
    client_id    text COLLATE "C",
    -- the client id, or '_fleet': what "one open alert per rule and subject" is about
    subject      text COLLATE "C" NOT NULL,
    since        timestamptz NOT NULL,
    opened_at    timestamptz NOT NULL,
    resolved_at  timestamptz,
    client_state jsonb       NOT NULL
);
-- one episode, one alert: across restarts and takeovers the same episode can only be inserted once
CREATE UNIQUE INDEX alert_episode_idx ON alert (rule, subject, since);
-- and a subject has at most one open alert per rule
CREATE UNIQUE INDEX alert_open_idx ON alert (rule, subject) WHERE resolved_at IS NULL;
CREATE INDEX alert_client_idx ON alert (client_id, id) WHERE client_id IS NOT NULL;

-- Webhook deliveries (an outbox written in the alert's own transaction) and every attempt at one.
CREATE TABLE alert_delivery (
    delivery_id     uuid PRIMARY KEY,
    alert_id        bigint      NOT NULL REFERENCES alert ON DELETE CASCADE,
    -- opened before resolved: deliveries of one alert go out in this order
    seq             int         NOT NULL,
    type            text        NOT NULL,
    webhook         text        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts        int         NOT NULL DEFAULT 0,
    delivered_at    timestamptz,
    gave_up_at      timestamptz,
    UNIQUE (alert_id, seq)
);
CREATE INDEX alert_delivery_due_idx ON alert_delivery (next_attempt_at)
    WHERE delivered_at IS NULL AND gave_up_at IS NULL;

CREATE TABLE alert_delivery_attempt (
    delivery_id uuid        NOT NULL REFERENCES alert_delivery ON DELETE CASCADE,
    attempt     int         NOT NULL,
    at          timestamptz NOT NULL,
    status      int,
    error       text,
    PRIMARY KEY (delivery_id, attempt)
);
