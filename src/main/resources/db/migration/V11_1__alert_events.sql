-- Every opening and resolution of an alert, in order, for the alerts' SSE stream (CONTRACT §11) and its
-- Last-Event-ID replay: the alert as it was then. Written in the alert's own transaction.
CREATE TABLE alert_event (
    id       bigserial PRIMARY KEY,
    alert_id bigint      NOT NULL REFERENCES alert ON DELETE CASCADE,
    at       timestamptz NOT NULL,
    alert    text        NOT NULL
);
