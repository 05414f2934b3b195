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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Reads client states: one by id, or a filtered, keyset-paginated list (CONTRACT §2). */
@ApplicationScoped
public class StateReader {
    static final String COLUMNS = """
            client_id, client_type, connection_status, connect_time, disconnect_time, activity_event, activity_time,
            protocol_version, disconnect_initiator, disconnect_reason_code, disconnect_reason, ip_address,
            username, node, unconfirmed_since""";

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

    public Uni<StatePage> list(StateFilter filter, StateSort sort, PagePosition after, int limit) {
        List<Object> params = new ArrayList<>();
        List<String> conditions = conditions(filter, params);
        String key = sort.field().keyExpression();
        String direction = sort.descending() ? "DESC" : "ASC";
        if (after != null) {
            String comparison = sort.descending() ? "<" : ">";
            params.add(after.clientId());
            String id = "$" + params.size();
            if (key == null) {
                conditions.add("client_id " + comparison + " " + id);
            } else {
                params.add(after.key() == null ? "-infinity" : after.key().toString());
                conditions.add("(" + key + ", client_id) " + comparison + " ($" + params.size() + "::text::timestamptz, "
                        + id + ")");
            }
        }
        params.add(limit + 1);
        String sql = "SELECT " + COLUMNS + (key == null ? "" : ", nullif(" + key + ", '-infinity') AS sort_key")
                + " FROM client_state"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY " + (key == null ? "" : key + " " + direction + ", ") + "client_id " + direction
                + " LIMIT $" + params.size();
        return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<ClientState> results = new ArrayList<>(limit);
            PagePosition next = null;
            Row last = null;
            for (Row row : rows) {
                if (results.size() == limit) {
                    next = position(last, key != null);
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

    private static List<String> conditions(StateFilter f, List<Object> params) {
        List<String> conditions = new ArrayList<>();
        equal(conditions, params, "connection_status", f.connectionStatus());
        range(conditions, params, StateSort.Field.LAST_CONNECT_TIME, f.connectedAfter(), f.connectedBefore());
        range(conditions, params, StateSort.Field.LAST_DISCONNECT_TIME, f.disconnectedAfter(), f.disconnectedBefore());
        range(conditions, params, StateSort.Field.LAST_ACTIVITY_TIME, f.activeAfter(), f.activeBefore());
        equal(conditions, params, "disconnect_initiator", f.disconnectInitiator());
        equal(conditions, params, "disconnect_reason_code", f.disconnectReasonCode());
        equal(conditions, params, "client_type", f.clientType());
        equal(conditions, params, "device_type", f.deviceType());
        equal(conditions, params, "device_id", f.deviceId());
        if (f.clientIdPrefix() != null) {
            params.add(likePrefix(f.clientIdPrefix()));
            conditions.add("client_id LIKE $" + params.size());
        }
        return conditions;
    }

    private static void equal(List<String> conditions, List<Object> params, String column, Object value) {
        if (value != null) {
            params.add(value);
            conditions.add(column + " = $" + params.size());
        }
    }

    /** After and before are exclusive; "before" never matches a client that has no such time at all. */
    private static void range(List<String> conditions, List<Object> params, StateSort.Field field, Instant after,
            Instant before) {
        if (after != null) {
            params.add(after.atOffset(ZoneOffset.UTC));
            conditions.add(field.keyExpression() + " > $" + params.size());
        }
        if (before != null) {
            params.add(before.atOffset(ZoneOffset.UTC));
            conditions.add(field.keyExpression() + " < $" + params.size());
            conditions.add(field.keyExpression() + " > '-infinity'::timestamptz");
        }
    }

    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    static ClientState toState(Row row) {
        Integer code = row.getInteger("disconnect_reason_code");
        String reason = row.getString("disconnect_reason");
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
                time(row, "unconfirmed_since"));
    }

    private static String time(Row row, String column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : Instants.format(value.toInstant());
    }
}
