package dev.connmon.state;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of one page of a state list: filters on indexed expressions, keyset continuation after a position,
 * and an order that an index can deliver, so that page 1 000 costs what page 1 costs.
 */
public record StateListQuery(String sql, List<Object> params) {

    /** {@code limit} rows after {@code after} (null: from the start), as filtered and sorted. */
    public static StateListQuery of(StateFilter filter, StateSort sort, PagePosition after, int limit) {
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
                // as text: the position may be -infinity, which no Java time holds
                params.add(after.key() == null ? "-infinity" : after.key().toString());
                conditions.add("(" + key + ", client_id) " + comparison + " ($" + params.size()
                        + "::text::timestamptz, " + id + ")");
            }
        }
        params.add(limit);
        String sql = "SELECT " + StateReader.COLUMNS
                + (key == null ? "" : ", nullif(" + key + ", '-infinity') AS sort_key")
                + " FROM client_state"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY " + (key == null ? "" : key + " " + direction + ", ") + "client_id " + direction
                + " LIMIT $" + params.size();
        return new StateListQuery(sql, params);
    }

    /** How many clients the filter matches. */
    public static StateListQuery count(StateFilter filter) {
        List<Object> params = new ArrayList<>();
        List<String> conditions = conditions(filter, params);
        return new StateListQuery(
                "SELECT count(*) AS n FROM client_state"
                        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)),
                params);
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
        if (f.flapping() != null) {
            // FlappingRule: flapping while the episode's end is in the future
            conditions.add(
                    f.flapping() ? "flapping_until > now()" : "(flapping_until IS NULL OR flapping_until <= now())");
        }
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
    private static void range(
            List<String> conditions, List<Object> params, StateSort.Field field, Instant after, Instant before) {
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
}
