package dev.connmon.state;

import static dev.connmon.state.FilterKind.after;
import static dev.connmon.state.FilterKind.before;
import static dev.connmon.state.FilterKind.equal;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Which clients a list or a live stream is about: a value for some of the {@link Field}s, combined with AND.
 * {@link Field} is the one definition of the list filters: each names its query parameter (and so its OpenAPI
 * parameter and its parsing, in the API) and its test (SQL and in memory, {@link FilterKind}). A new filter is a new
 * constant there.
 */
public final class StateFilter {
    /** The filters of the state list, its CSV export, its live stream and alert rules (CONTRACT §2, §3). */
    public enum Field {
        CONNECTION_STATUS(
                Parameter.oneOf("connectionStatus", "Only clients in this status", "connected", "disconnected"),
                equal("connection_status", ClientState::connectionStatus)),
        CONNECTED_AFTER(
                Parameter.time("connectedAfter", "Last connect after this time", "P2D")
                        .alias("lastConnectedAfter"),
                after(StateSort.Field.LAST_CONNECT_TIME, ClientState::lastConnectTime)),
        CONNECTED_BEFORE(
                Parameter.time("connectedBefore", "Last connect before this time", "P1D")
                        .alias("lastConnectedBefore"),
                before(StateSort.Field.LAST_CONNECT_TIME, ClientState::lastConnectTime)),
        DISCONNECTED_AFTER(
                Parameter.time("disconnectedAfter", "Last disconnect after this time", null),
                after(StateSort.Field.LAST_DISCONNECT_TIME, ClientState::lastDisconnectTime)),
        DISCONNECTED_BEFORE(
                Parameter.time("disconnectedBefore", "Last disconnect before this time", null),
                before(StateSort.Field.LAST_DISCONNECT_TIME, ClientState::lastDisconnectTime)),
        ACTIVE_AFTER(
                Parameter.time("activeAfter", "Last activity after this time", "PT15M"),
                after(StateSort.Field.LAST_ACTIVITY_TIME, ClientState::lastActivityTime)),
        ACTIVE_BEFORE(
                Parameter.time("activeBefore", "Last activity before this time", null),
                before(StateSort.Field.LAST_ACTIVITY_TIME, ClientState::lastActivityTime)),
        DISCONNECT_INITIATOR(
                Parameter.oneOf("disconnectInitiator", "Who ended the last connection", "client", "server", "network"),
                equal("disconnect_initiator", ClientState::lastDisconnectInitiator)),
        DISCONNECT_REASON_CODE(
                Parameter.integer("disconnectReasonCode", "MQTT reason code of the last disconnect", "141", 0, 255),
                equal("disconnect_reason_code", ClientState::lastDisconnectReasonCode)),
        CLIENT_ID_PREFIX(
                Parameter.text("clientIdPrefix", "Only client ids that start with this", "d:acme:"),
                FilterKind.ID_PREFIX),
        CLIENT_TYPE(
                Parameter.oneOf("clientType", "Watson client type", "device", "application", "gateway", "client"),
                equal("client_type", ClientState::clientType)),
        DEVICE_TYPE(
                Parameter.text("deviceType", "Watson device type (d:{org}:{deviceType}:{deviceId})", "sensor"),
                equal("device_type", s -> watsonPart(s.id(), 2))),
        DEVICE_ID(
                Parameter.text("deviceId", "Watson device id (d:{org}:{deviceType}:{deviceId})", "0042"),
                equal("device_id", s -> watsonPart(s.id(), 3))),
        FLAPPING(
                Parameter.bool(
                        "flapping",
                        "Only clients that are (true) or are not (false) flapping now: at least "
                                + "connmon.flapping.disconnects disconnects within the trailing connmon.flapping.window"),
                FilterKind.FLAPPING);

        private final Parameter parameter;
        private final FilterKind kind;

        Field(Parameter parameter, FilterKind kind) {
            this.parameter = parameter;
            this.kind = kind;
        }

        /** How the filter is given as a query parameter. */
        public Parameter parameter() {
            return parameter;
        }

        FilterKind kind() {
            return kind;
        }
    }

    /**
     * A filter as a query parameter: its name (and Watson's alias, if any), what it means, an example, and the type
     * of its value: {@code TEXT} (with {@code values}: one of them), {@code TIME}, {@code INTEGER} within
     * {@code min..max}, {@code BOOLEAN}.
     */
    public record Parameter(
            String name,
            String alias,
            Type type,
            String description,
            String example,
            List<String> values,
            int min,
            int max) {
        public enum Type {
            TEXT(String.class),
            TIME(Instant.class),
            INTEGER(Integer.class),
            BOOLEAN(Boolean.class);

            final Class<?> javaType;

            Type(Class<?> javaType) {
                this.javaType = javaType;
            }
        }

        static Parameter text(String name, String description, String example) {
            return new Parameter(name, null, Type.TEXT, description, example, List.of(), 0, 0);
        }

        static Parameter oneOf(String name, String description, String... values) {
            return new Parameter(name, null, Type.TEXT, description, null, List.of(values), 0, 0);
        }

        static Parameter time(String name, String description, String example) {
            return new Parameter(name, null, Type.TIME, description, example, List.of(), 0, 0);
        }

        static Parameter integer(String name, String description, String example, int min, int max) {
            return new Parameter(name, null, Type.INTEGER, description, example, List.of(), min, max);
        }

        static Parameter bool(String name, String description) {
            return new Parameter(name, null, Type.BOOLEAN, description, null, List.of("true", "false"), 0, 0);
        }

        Parameter alias(String alias) {
            return new Parameter(name, alias, type, description, example, values, min, max);
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

    /** The fields up to flapping, in {@link Field}'s order (as before later filters existed). */
    public StateFilter(
            String connectionStatus,
            Instant connectedAfter,
            Instant connectedBefore,
            Instant disconnectedAfter,
            Instant disconnectedBefore,
            Instant activeAfter,
            Instant activeBefore,
            String disconnectInitiator,
            Integer disconnectReasonCode,
            String clientIdPrefix,
            String clientType,
            String deviceType,
            String deviceId,
            Boolean flapping) {
        this(positional(
                connectionStatus,
                connectedAfter,
                connectedBefore,
                disconnectedAfter,
                disconnectedBefore,
                activeAfter,
                activeBefore,
                disconnectInitiator,
                disconnectReasonCode,
                clientIdPrefix,
                clientType,
                deviceType,
                deviceId,
                flapping));
    }

    /** Without the flapping filter (CONTRACT §10.3), as before it existed. */
    public StateFilter(
            String connectionStatus,
            Instant connectedAfter,
            Instant connectedBefore,
            Instant disconnectedAfter,
            Instant disconnectedBefore,
            Instant activeAfter,
            Instant activeBefore,
            String disconnectInitiator,
            Integer disconnectReasonCode,
            String clientIdPrefix,
            String clientType,
            String deviceType,
            String deviceId) {
        this(
                connectionStatus,
                connectedAfter,
                connectedBefore,
                disconnectedAfter,
                disconnectedBefore,
                activeAfter,
                activeBefore,
                disconnectInitiator,
                disconnectReasonCode,
                clientIdPrefix,
                clientType,
                deviceType,
                deviceId,
                null);
    }

    private static Map<Field, Object> positional(Object... values) {
        Map<Field, Object> map = new EnumMap<>(Field.class);
        for (int i = 0; i < values.length; i++) {
            map.put(Field.values()[i], values[i]);
        }
        return map;
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

    /** Part {@code index} of a Watson device or gateway id ({d,g}:{org}:{type}:{id}), as the SQL columns compute it. */
    private static String watsonPart(String id, int index) {
        if (!id.startsWith("d:") && !id.startsWith("g:")) {
            return null;
        }
        String[] parts = id.split(":", 4);
        return parts.length == 4 ? parts[index] : null;
    }
}
