package dev.connmon.query;

import static dev.connmon.query.FilterKind.after;
import static dev.connmon.query.FilterKind.before;
import static dev.connmon.query.FilterKind.equal;

import dev.connmon.state.ClientState;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which clients a list or a live stream is about: a value for some of the {@link Field}s, combined with AND.
 * {@link Field} is the one definition of the list filters: each names its query parameter (and so its OpenAPI
 * parameter and its parsing, in the API) and its test (SQL and in memory, {@link FilterKind}). A new filter is a new
 * constant there.
 */
public final class StateFilter {
    /** The filters of the state list, its CSV export, its live stream and alert rules (docs/api.md §2, §3). */
    public enum Field {
        CONNECTION_STATUS(
                FilterParameter.oneOf("connectionStatus", "Only clients in this status", "connected", "disconnected"),
                equal("connection_status", ClientState::connectionStatus)),
        CONNECTED_AFTER(
                FilterParameter.time("connectedAfter", "Last connect after this time", "P2D")
                        .alias("lastConnectedAfter"),
                after(StateSort.Field.LAST_CONNECT_TIME, ClientState::lastConnectTime)),
        CONNECTED_BEFORE(
                FilterParameter.time("connectedBefore", "Last connect before this time", "P1D")
                        .alias("lastConnectedBefore"),
                before(StateSort.Field.LAST_CONNECT_TIME, ClientState::lastConnectTime)),
        DISCONNECTED_AFTER(
                FilterParameter.time("disconnectedAfter", "Last disconnect after this time", null),
                after(StateSort.Field.LAST_DISCONNECT_TIME, ClientState::lastDisconnectTime)),
        DISCONNECTED_BEFORE(
                FilterParameter.time("disconnectedBefore", "Last disconnect before this time", null),
                before(StateSort.Field.LAST_DISCONNECT_TIME, ClientState::lastDisconnectTime)),
        ACTIVE_AFTER(
                FilterParameter.time("activeAfter", "Last activity after this time", "PT15M"),
                after(StateSort.Field.LAST_ACTIVITY_TIME, ClientState::lastActivityTime)),
        ACTIVE_BEFORE(
                FilterParameter.time("activeBefore", "Last activity before this time", null),
                before(StateSort.Field.LAST_ACTIVITY_TIME, ClientState::lastActivityTime)),
        DISCONNECT_INITIATOR(
                FilterParameter.oneOf(
                        "disconnectInitiator", "Who ended the last connection", "client", "server", "network"),
                equal("disconnect_initiator", ClientState::lastDisconnectInitiator)),
        DISCONNECT_REASON_CODE(
                FilterParameter.integer(
                        "disconnectReasonCode", "MQTT reason code of the last disconnect", "141", 0, 255),
                equal("disconnect_reason_code", ClientState::lastDisconnectReasonCode)),
        CLIENT_ID_PREFIX(
                FilterParameter.text("clientIdPrefix", "Only client ids that start with this", "d:acme:"),
                FilterKind.ID_PREFIX),
        CLIENT_TYPE(
                FilterParameter.oneOf("clientType", "Watson client type", "device", "application", "gateway", "client"),
                FilterKind.equalById("client_type", StateFilter::clientType)),
        DEVICE_TYPE(
                FilterParameter.text("deviceType", "Watson device type (d:{org}:{deviceType}:{deviceId})", "sensor"),
                FilterKind.equalById("device_type", id -> watsonPart(id, 2))),
        DEVICE_ID(
                FilterParameter.text("deviceId", "Watson device id (d:{org}:{deviceType}:{deviceId})", "0042"),
                FilterKind.equalById("device_id", id -> watsonPart(id, 3))),
        FLAPPING(
                FilterParameter.bool(
                        "flapping",
                        "Only clients that are (true) or are not (false) flapping now: at least "
                                + "connmon.flapping.disconnects disconnects within the trailing connmon.flapping.window"),
                FilterKind.FLAPPING),
        IN_MAINTENANCE(
                FilterParameter.bool(
                        "inMaintenance",
                        "Only clients that are (true) or are not (false) in a maintenance window now "
                                + "(/api/v0002/maintenance)"),
                FilterKind.IN_MAINTENANCE),
        OVERDUE(
                FilterParameter.bool(
                        "overdue",
                        "Only clients that have (true) or have not (false) missed an expected check-in: disconnected "
                                + "for longer than the every + grace of each connmon.expectations.<name> that names "
                                + "them"),
                FilterKind.OVERDUE);

        private final FilterParameter parameter;
        private final FilterKind kind;

        Field(FilterParameter parameter, FilterKind kind) {
            this.parameter = parameter;
            this.kind = kind;
        }

        /** How the filter is given as a query parameter. */
        public FilterParameter parameter() {
            return parameter;
        }

        FilterKind kind() {
            return kind;
        }
    }

    public static final StateFilter ALL = new StateFilter(Map.of());

    private final Map<Field, Object> values;

    private StateFilter(Map<Field, ?> values) {
        EnumMap<Field, Object> copy = new EnumMap<>(Field.class);
        values.forEach((field, value) -> {
            if (value != null) {
                if (!field.parameter.type().javaType.isInstance(value)) {
                    throw new IllegalArgumentException(field + " takes a " + field.parameter.type() + ", not " + value);
                }
                copy.put(field, value);
            }
        });
        this.values = Collections.unmodifiableMap(copy);
    }

    /** The filter of these values (a null value: that field is not filtered on). */
    public static StateFilter of(Map<Field, ?> values) {
        return new StateFilter(values);
    }

    /** This filter with {@code field} set to {@code value} (null: not filtered on). */
    public StateFilter with(Field field, Object value) {
        Map<Field, Object> changed = new EnumMap<>(Field.class);
        changed.putAll(values);
        changed.put(field, value);
        return new StateFilter(changed);
    }

    /** The value of a field, null when it is not filtered on. */
    public Object get(Field field) {
        return values.get(field);
    }

    /** The fields filtered on, in {@link Field}'s order, with their values. */
    public Map<Field, Object> values() {
        return values;
    }

    /**
     * Clients that both filters accept. Times narrow (the later "after", the earlier "before"); an equality both
     * set must agree, else this is an error: such a pair could never match anything.
     */
    public StateFilter and(StateFilter o) {
        Map<Field, Object> both = new EnumMap<>(Field.class);
        both.putAll(values);
        o.values.forEach(
                (field, value) -> both.merge(field, value, (a, b) -> field.kind.and(field.parameter.name(), a, b)));
        return new StateFilter(both);
    }

    /**
     * Whether every filter set is on who the client is, not on its state ({@link FilterKind#identity}): such a filter
     * names the same clients at every time. Otherwise, the parameter name of the first that is not.
     */
    public Optional<String> notIdentity() {
        return values.keySet().stream()
                .filter(field -> !field.kind.identity())
                .map(field -> field.parameter.name())
                .findFirst();
    }

    /**
     * The filter as one SQL condition on client_state's own columns, its parameters appended to {@code params}; for
     * identity filters ({@link #notIdentity}), which read no other table.
     */
    public String condition(List<Object> params) {
        List<String> conditions = StateListQuery.conditions(this, params);
        return conditions.isEmpty() ? "TRUE" : "(" + String.join(" AND ", conditions) + ")";
    }

    /** Whether a client id alone can match (what a deletion, which has no state, is judged by). */
    public boolean matchesId(String clientId) {
        return values.entrySet().stream().allMatch(e -> e.getKey().kind.matchesId(e.getValue(), clientId));
    }

    /** The same test as the list query, on one state (live streams filter in memory). */
    public boolean matches(ClientState state) {
        for (Map.Entry<Field, Object> e : values.entrySet()) {
            if (!e.getKey().kind.matches(e.getValue(), state)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StateFilter f && f.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "StateFilter" + values;
    }

    /** The client type of an id, as the SQL column computes it (V2). */
    private static String clientType(String id) {
        if (id.startsWith("d:")) {
            return "device";
        }
        if (id.startsWith("a:") || id.startsWith("A:")) {
            return "application";
        }
        return id.startsWith("g:") ? "gateway" : "client";
    }

    /** Part {@code index} of a Watson device or gateway id ({d,g}:{org}:{type}:{id}), as the SQL columns compute it. */
    /** The Watson device type of a {@code d:}/{@code g:} client id, as the {@code deviceType} filter reads it; or null. */
    public static String deviceTypeOf(String clientId) {
        return watsonPart(clientId, 2);
    }

    private static String watsonPart(String id, int index) {
        if (!id.startsWith("d:") && !id.startsWith("g:")) {
            return null;
        }
        String[] parts = id.split(":", 4);
        return parts.length == 4 ? parts[index] : null;
    }
}
