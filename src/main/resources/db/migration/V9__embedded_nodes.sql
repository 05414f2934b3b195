-- One row per embedded broker node (a connmon instance running its embedded broker): when it started and its last
-- sign of life. A graceful stop disconnects the node's clients itself and sets stopped_at; after a crash the next
-- start of the node disconnects them at heartbeat_at (see dev.connmon.embedded.EmbeddedNodeGuard).
CREATE TABLE embedded_node (
    node          text PRIMARY KEY,
    started_at    timestamptz(3) NOT NULL,
    heartbeat_at  timestamptz(3) NOT NULL,
    stopped_at    timestamptz(3)
);

-- The sweeps of a node ("its clients still connected since before T") read only that node's connected clients, in
-- connect time order: the heartbeat's probe for such clients is one index lookup however many are connected. It
-- replaces the index on (node, connection_status), which served only the node part of those queries.
DROP INDEX client_state_node_idx;
CREATE INDEX client_state_connected_node_idx ON client_state (node, connect_time)
    WHERE connection_status = 'connected';
