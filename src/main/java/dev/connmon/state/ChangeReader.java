package dev.connmon.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** Reads the change feed (table state_change) in id order. */
@ApplicationScoped
public class ChangeReader {
    /**
     * A stored change: its id, the client, its state then (null for a deletion), and that state as JSON, encoded
     * once here rather than once per subscriber; and what the Watson status topics need besides (CONTRACT §7).
     */
    public record Change(long id, String clientId, ClientState state, String json, Connection connection) {}

    /**
     * Whether the change stored a new connect, a new disconnect, and of the connection what the API does not show:
     * its port and clean start (unknown: null).
     */
    public record Connection(boolean connectMoved, boolean disconnectMoved, Integer port, Boolean cleanStart) {}

    private final Pool pool;
    private final ObjectMapper mapper;

    ChangeReader(Pool pool, ObjectMapper mapper) {
        this.pool = pool;
        this.mapper = mapper;
    }

    private String encode(ClientState state) {
        try {
            return state == null ? null : mapper.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a client state", e);
        }
    }

    public Uni<Long> lastId() {
        return pool.query("SELECT coalesce(max(id), 0) AS last FROM state_change")
                .execute()
                .map(rows -> rows.iterator().next().getLong("last"));
    }

    /** Changes with {@code after < id <= upTo}, oldest first, at most {@code limit}. */
    public Uni<List<Change>> between(long after, long upTo, int limit) {
        return pool.preparedQuery("SELECT id, deleted, connect_moved, disconnect_moved, " + StateChanges.COLUMNS
                        + " FROM state_change WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3")
                .execute(Tuple.of(after, upTo, limit))
                .map(rows -> {
                    List<Change> changes = new ArrayList<>();
                    for (Row row : rows) {
                        ClientState state = row.getBoolean("deleted") ? null : StateReader.toState(row);
                        Connection connection = new Connection(
                                row.getBoolean("connect_moved"),
                                row.getBoolean("disconnect_moved"),
                                row.getInteger("port"),
                                row.getBoolean("clean_start"));
                        changes.add(new Change(
                                row.getLong("id"), row.getString("client_id"), state, encode(state), connection));
                    }
                    return changes;
                });
    }
}
