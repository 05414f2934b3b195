package dev.connmon.state;

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
    /** A stored change: its id, the client, and its state then (null for a deletion). */
    public record Change(long id, String clientId, ClientState state) {
    }

    private final Pool pool;

    ChangeReader(Pool pool) {
        this.pool = pool;
    }

    public Uni<Long> lastId() {
        return pool.query("SELECT coalesce(max(id), 0) AS last FROM state_change").execute()
                .map(rows -> rows.iterator().next().getLong("last"));
    }

    /** Changes with {@code after < id <= upTo}, oldest first, at most {@code limit}. */
    public Uni<List<Change>> between(long after, long upTo, int limit) {
        return pool.preparedQuery("SELECT id, deleted, " + StateRepository.CHANGE_COLUMNS
                        + " FROM state_change WHERE id > $1 AND id <= $2 ORDER BY id LIMIT $3")
                .execute(Tuple.of(after, upTo, limit))
                .map(rows -> {
                    List<Change> changes = new ArrayList<>();
                    for (Row row : rows) {
                        changes.add(new Change(row.getLong("id"), row.getString("client_id"),
                                row.getBoolean("deleted") ? null : StateReader.toState(row)));
                    }
                    return changes;
                });
    }
}
