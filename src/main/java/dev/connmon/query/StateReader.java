package dev.connmon.query;

import dev.connmon.state.ClientState;
import dev.connmon.state.ClientStateRows;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads client states: one by id, or a filtered, keyset-paginated list (docs/api.md §2). */
@ApplicationScoped
public class StateReader {
    private final Pool pool;

    StateReader(Pool pool) {
        this.pool = pool;
    }

    public Uni<ClientState> findById(String clientId) {
        return pool.preparedQuery("SELECT " + ClientStateRows.COLUMNS + " FROM client_state WHERE client_id = $1")
                .execute(Tuple.of(clientId))
                .map(RowSet::iterator)
                .map(it -> it.hasNext() ? ClientStateRows.toState(it.next()) : null);
    }

    /** How many clients are connected and disconnected (one pass over the status index). */
    public Uni<Map<String, Long>> countByStatus() {
        return pool.query("SELECT connection_status, count(*) AS n FROM client_state GROUP BY connection_status")
                .execute()
                .map(rows -> {
                    Map<String, Long> counts = new TreeMap<>(Map.of("connected", 0L, "disconnected", 0L));
                    rows.forEach(row -> counts.put(row.getString("connection_status"), row.getLong("n")));
                    return counts;
                });
    }

    public Uni<Long> count(StateFilter filter) {
        StateListQuery query = StateListQuery.count(filter);
        return pool.preparedQuery(query.sql())
                .execute(Tuple.from(query.params()))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    public Uni<StatePage> list(StateFilter filter, StateSort sort, PagePosition after, int limit) {
        StateListQuery query = StateListQuery.of(filter, sort, after, limit + 1);
        boolean timeKey = sort.field().keyExpression() != null;
        return pool.preparedQuery(query.sql())
                .execute(Tuple.from(query.params()))
                .map(rows -> {
                    List<ClientState> results = new ArrayList<>(limit);
                    PagePosition next = null;
                    Row last = null;
                    for (Row row : rows) {
                        if (results.size() == limit) {
                            next = position(last, timeKey);
                            break;
                        }
                        results.add(ClientStateRows.toState(row));
                        last = row;
                    }
                    return new StatePage(results, next);
                });
    }

    private static PagePosition position(Row row, boolean timeKey) {
        OffsetDateTime key = timeKey ? row.getOffsetDateTime("sort_key") : null;
        return new PagePosition(key == null ? null : key.toInstant(), row.getString("client_id"));
    }
}
