package dev.connmon.state;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Instants;
import dev.connmon.lifecycle.ReasonCodes;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Reads client states: one by id, or a filtered, keyset-paginated list (CONTRACT §2). */
@ApplicationScoped
public class StateReader {
    static final String COLUMNS = """
            client_id, client_type, connection_status, connect_time, disconnect_time, activity_event, activity_time,
            protocol_version, disconnect_initiator, disconnect_reason_code, disconnect_reason, ip_address,
            username, node, unconfirmed_since, flapping_until, flapping_since""";

    private final Pool pool;

    StateReader(Pool pool) {
        this.pool = pool;
    }

    public Uni<ClientState> findById(String clientId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM client_state WHERE client_id = $1")
                .execute(Tuple.of(clientId))
                .map(RowSet::iterator)
                .map(it -> it.hasNext() ? toState(it.next()) : null);
    }

    /** How many clients are connected and disconnected (one pass over the status index). */
    public Uni<java.util.Map<String, Long>> countByStatus() {
        return pool.query("SELECT connection_status, count(*) AS n FROM client_state GROUP BY connection_status")
                .execute()
                .map(rows -> {
                    java.util.Map<String, Long> counts =
                            new java.util.TreeMap<>(java.util.Map.of("connected", 0L, "disconnected", 0L));
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
                        results.add(toState(row));
                        last = row;
                    }
                    return new StatePage(results, next);
                });
    }

    private static PagePosition position(Row row, boolean timeKey) {
        OffsetDateTime key = timeKey ? row.getOffsetDateTime("sort_key") : null;
        return new PagePosition(key == null ? null : key.toInstant(), row.getString("client_id"));
    }

    static ClientState toState(Row row) {
        Integer code = row.getInteger("disconnect_reason_code");
        String reason = row.getString("disconnect_reason");
        // flapping ends by the passage of time alone (FlappingRule): judged now, whenever the row was written
        OffsetDateTime flappingUntil = row.getOffsetDateTime("flapping_until");
        boolean flapping = flappingUntil != null && flappingUntil.toInstant().isAfter(java.time.Instant.now());
        return new ClientState(
                row.getString("client_id"),
                row.getString("client_type"),
                row.getString("connection_status"),
                time(row, "connect_time"),
                time(row, "disconnect_time"),
                row.getString("activity_event"),
                time(row, "activity_time"),
                row.getString("protocol_version"),
                row.getString("disconnect_initiator"),
                code,
                reason != null ? reason : ReasonCodes.describe(EventType.DISCONNECTED, code, null),
                row.getString("ip_address"),
                row.getString("username"),
                row.getString("node"),
                time(row, "unconfirmed_since"),
                flapping,
                flapping ? time(row, "flapping_since") : null);
    }

    private static String time(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : Instants.format(value.toInstant());
    }
}
