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

    /** Each column's position in {@link #COLUMNS}: a change row is read by position, the client's name lookup was 4 %. */
    private static final List<String> NAMES =
            java.util.Arrays.stream(COLUMNS.split(",")).map(String::strip).toList();

    private static final int CLIENT_ID = position("client_id");
    private static final int CLIENT_TYPE = position("client_type");
    private static final int CONNECTION_STATUS = position("connection_status");
    private static final int CONNECT_TIME = position("connect_time");
    private static final int DISCONNECT_TIME = position("disconnect_time");
    private static final int ACTIVITY_EVENT = position("activity_event");
    private static final int ACTIVITY_TIME = position("activity_time");
    private static final int PROTOCOL_VERSION = position("protocol_version");
    private static final int DISCONNECT_INITIATOR = position("disconnect_initiator");
    private static final int DISCONNECT_REASON_CODE = position("disconnect_reason_code");
    private static final int DISCONNECT_REASON = position("disconnect_reason");
    private static final int IP_ADDRESS = position("ip_address");
    private static final int USERNAME = position("username");
    private static final int NODE = position("node");
    private static final int UNCONFIRMED_SINCE = position("unconfirmed_since");
    private static final int FLAPPING_UNTIL = position("flapping_until");
    private static final int FLAPPING_SINCE = position("flapping_since");

    /** How many columns {@link #COLUMNS} selects: a query's own columns after them start here. */
    static final int COLUMN_COUNT = NAMES.size();

    private static int position(String column) {
        int at = NAMES.indexOf(column);
        if (at < 0) {
            throw new IllegalStateException(column + " is not one of StateReader.COLUMNS");
        }
        return at;
    }

    /** A state from a row that selects {@link #COLUMNS} first. */
    static ClientState toState(Row row) {
        return toState(row, 0);
    }

    /** A state from a row that selects {@link #COLUMNS} from position {@code first} on. */
    static ClientState toState(Row row, int first) {
        Integer code = row.getInteger(first + DISCONNECT_REASON_CODE);
        String reason = row.getString(first + DISCONNECT_REASON);
        // flapping ends by the passage of time alone (FlappingRule): judged now, whenever the row was written
        OffsetDateTime flappingUntil = row.getOffsetDateTime(first + FLAPPING_UNTIL);
        boolean flapping = flappingUntil != null && flappingUntil.toInstant().isAfter(java.time.Instant.now());
        return new ClientState(
                row.getString(first + CLIENT_ID),
                row.getString(first + CLIENT_TYPE),
                row.getString(first + CONNECTION_STATUS),
                time(row, first + CONNECT_TIME),
                time(row, first + DISCONNECT_TIME),
                row.getString(first + ACTIVITY_EVENT),
                time(row, first + ACTIVITY_TIME),
                row.getString(first + PROTOCOL_VERSION),
                row.getString(first + DISCONNECT_INITIATOR),
                code,
                reason != null ? reason : ReasonCodes.describe(EventType.DISCONNECTED, code, null),
                row.getString(first + IP_ADDRESS),
                row.getString(first + USERNAME),
                row.getString(first + NODE),
                time(row, first + UNCONFIRMED_SINCE),
                flapping,
                flapping ? time(row, first + FLAPPING_SINCE) : null);
    }

    private static String time(Row row, int column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : Instants.format(value.toInstant());
    }
}
