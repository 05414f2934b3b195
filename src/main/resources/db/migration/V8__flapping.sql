-- Flapping (CONTRACT §10.3): the ingest transaction recomputes, for each client with a disconnect in the batch, the
-- flapping episode its logged disconnects make (see dev.connmon.state.FlappingRule). A client is flapping while
-- flapping_until is in the future, so it stops flapping by the passage of time alone; flapping_since is when the
-- episode began. state_change carries both, so that live streams can filter on flapping in memory.
ALTER TABLE client_state ADD COLUMN flapping_until timestamptz(3), ADD COLUMN flapping_since timestamptz(3);
ALTER TABLE state_change ADD COLUMN flapping_until timestamptz(3), ADD COLUMN flapping_since timestamptz(3);
CREATE INDEX client_state_flapping_idx ON client_state (flapping_until, client_id) WHERE flapping_until IS NOT NULL;
