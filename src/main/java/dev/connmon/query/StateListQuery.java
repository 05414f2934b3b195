package dev.connmon.query;

import dev.connmon.state.ClientStateRows;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

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
        String sql = "SELECT " + ClientStateRows.COLUMNS
                + (key == null ? "" : ", nullif(" + key + ", '-infinity') AS sort_key")
                + " FROM " + tables(filter, sort)
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
                "SELECT count(*) AS n FROM " + tables(filter, StateSort.BY_ID)
                        + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions)),
                params);
    }

    /**
     * client_state, joined to the tables that the sort and the filters read. The joined table comes first, so that
     * {@code client_id} is its column: the keyset's {@code (activity_key, client_id) > (…)} is then a condition on
     * one index.
     */
    public static String tables(StateFilter filter, StateSort sort) {
        Set<String> tables = new LinkedHashSet<>();
        if (sort.field().table() != null) {
            tables.add(sort.field().table());
        }
        filter.values().keySet().stream()
                .map(field -> field.kind().table())
                .filter(Objects::nonNull)
                .forEach(tables::add);
        tables.add("client_state");
        return tables.stream()
                .reduce((from, table) -> from + " JOIN " + table + " USING (client_id)")
                .orElseThrow();
    }

    /** The filter's conditions, each as its {@link FilterKind} writes it; their parameters go to {@code params}. */
    public static List<String> conditions(StateFilter filter, List<Object> params) {
        List<String> conditions = new ArrayList<>();
        filter.values().forEach((field, value) -> field.kind().where(value, conditions, params));
        return conditions;
    }

    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
