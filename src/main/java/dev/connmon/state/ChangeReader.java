package dev.connmon.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
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
     * once here rather than once per subscriber; and what the Watson status topics need besides (docs/api.md §7).
     */
    public record Change(long id, String clientId, ClientState state, String json, Connection connection) {}

    /**
     * Whether the change stored a new connect, a new disconnect, and of the connection what the API does not show:
     * its port and clean start (unknown: null).
     */
    public record Connection(boolean connectMoved, boolean disconnectMoved, Integer port, Boolean cleanStart) {}

    /** {@link #between}'s rows, read by position (a lookup by name was 4 % of connmon's CPU in a storm). */
    private static final String BETWEEN = "SELECT id, deleted, connect_moved, disconnect_moved, " + StateChanges.COLUMNS
            + " FROM state_change WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3";

    private static final int ID = 0;
    private static final int DELETED = 1;
    private static final int CONNECT_MOVED = 2;
    private static final int DISCONNECT_MOVED = 3;
    /** The state's columns ({@link ClientStateRows#COLUMNS}) start here; StateChanges.COLUMNS adds port, clean_start. */
    private static final int STATE = 4;

    private static final int PORT = STATE + ClientStateRows.COLUMN_COUNT;
    private static final int CLEAN_START = PORT + 1;

    private final Pool pool;
    private final ObjectWriter writer;

    ChangeReader(Pool pool, ObjectMapper mapper) {
        this.pool = pool;
        // a writer for the type finds ClientState's serializer once, not on every change
        this.writer = mapper.writerFor(ClientState.class);
    }

    private String encode(ClientState state) {
        try {
            return state == null ? null : writer.writeValueAsString(state);
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
        return pool.preparedQuery(BETWEEN).execute(Tuple.of(after, upTo, limit)).map(rows -> {
            List<Change> changes = new ArrayList<>();
            for (Row row : rows) {
                ClientState state = row.getBoolean(DELETED) ? null : ClientStateRows.toState(row, STATE);
                Connection connection = new Connection(
                        row.getBoolean(CONNECT_MOVED),
                        row.getBoolean(DISCONNECT_MOVED),
                        row.getInteger(PORT),
                        row.getBoolean(CLEAN_START));
                changes.add(new Change(row.getLong(ID), row.getString(STATE), state, encode(state), connection));
            }
            return changes;
        });
    }
}
