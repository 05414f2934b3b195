-- Which broker connection (source) each log entry and rejection came through; the dialect is already kept.
ALTER TABLE connection_log ADD COLUMN source text;
ALTER TABLE rejected_message ADD COLUMN source text;
-- The source a client's newest connect came through: a source that loses its broker session marks exactly its
-- clients unconfirmed.
ALTER TABLE client_state ADD COLUMN source text;
CREATE INDEX client_state_source_idx ON client_state (source, connection_status) WHERE connection_status = 'connected';
CREATE INDEX client_state_node_idx ON client_state (node, connection_status) WHERE connection_status = 'connected';
