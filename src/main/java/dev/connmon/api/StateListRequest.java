package dev.connmon.api;

import dev.connmon.state.StateFilter;
import dev.connmon.state.StateSort;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

/** The query parameters of the state list (CONTRACT §2), as sent; {@link #filter} and {@link #sort} check them. */
public class StateListRequest {
    static final String TIME = "ISO 8601 time (2026-11-26T06:00:00Z), epoch milliseconds, or ISO 8601 duration "
            + "meaning that long ago (P2D, PT15M)";

    @RestQuery
    @Parameter(
            description = "Only clients in this status",
            schema = @Schema(enumeration = {"connected", "disconnected"}))
    public String connectionStatus;

    @RestQuery
    @Parameter(description = "Last connect after this time. " + TIME, example = "P2D")
    public String connectedAfter;

    @RestQuery
    @Parameter(description = "Last connect before this time. " + TIME, example = "P1D")
    public String connectedBefore;

    @RestQuery
    @Parameter(description = "Alias of connectedAfter (Watson)")
    public String lastConnectedAfter;

    @RestQuery
    @Parameter(description = "Alias of connectedBefore (Watson)")
    public String lastConnectedBefore;

    @RestQuery
    @Parameter(description = "Last disconnect after this time. " + TIME)
    public String disconnectedAfter;

    @RestQuery
    @Parameter(description = "Last disconnect before this time. " + TIME)
    public String disconnectedBefore;

    @RestQuery
    @Parameter(description = "Last activity after this time. " + TIME, example = "PT15M")
    public String activeAfter;

    @RestQuery
    @Parameter(description = "Last activity before this time. " + TIME)
    public String activeBefore;

    @RestQuery
    @Parameter(
            description = "Who ended the last connection",
            schema = @Schema(enumeration = {"client", "server", "network"}))
    public String disconnectInitiator;

    @RestQuery
    @Parameter(
            description = "MQTT reason code of the last disconnect",
            example = "141",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "0", maximum = "255"))
    public String disconnectReasonCode;

    @RestQuery
    @Parameter(description = "Only client ids that start with this", example = "d:acme:")
    public String clientIdPrefix;

    @RestQuery
    @Parameter(
            description = "Watson client type",
            schema = @Schema(enumeration = {"device", "application", "gateway", "client"}))
    public String clientType;

    @RestQuery
    @Parameter(description = "Watson device type (d:{org}:{deviceType}:{deviceId})", example = "sensor")
    public String deviceType;

    @RestQuery
    @Parameter(description = "Watson device id (d:{org}:{deviceType}:{deviceId})", example = "0042")
    public String deviceId;

    @RestQuery
    @Parameter(
            description = "Only clients that are (true) or are not (false) flapping now: at least "
                    + "connmon.flapping.disconnects disconnects within the trailing connmon.flapping.window",
            schema = @Schema(enumeration = {"true", "false"}))
    public String flapping;

    @RestQuery("_limit")
    @Parameter(
            name = "_limit",
            description = "Page size, 1..1000",
            example = "25",
            schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "1000", defaultValue = "25"))
    public String limit;

    @RestQuery("_sort")
    @Parameter(
            name = "_sort",
            description =
                    "id, lastConnectTime, lastDisconnectTime or lastActivityTime; " + "a leading '-' sorts descending",
            example = "-lastActivityTime")
    public String sort;

    @RestQuery("_bookmark")
    @Parameter(name = "_bookmark", description = "The bookmark of the previous page")
    public String bookmark;

    static final Set<String> NAMES = Set.of(
            "connectionStatus",
            "connectedAfter",
            "connectedBefore",
            "lastConnectedAfter",
            "lastConnectedBefore",
            "disconnectedAfter",
            "disconnectedBefore",
            "activeAfter",
            "activeBefore",
            "disconnectInitiator",
            "disconnectReasonCode",
            "clientIdPrefix",
            "clientType",
            "deviceType",
            "deviceId",
            "flapping",
            "_limit",
            "_sort",
            "_bookmark");

    /** The filter parameters of a list URL's query string ({@code deviceType=pump&clientIdPrefix=d:acme:}). */
    public static StateListRequest parseFilter(String query) {
        StateListRequest request = new StateListRequest();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!NAMES.contains(name) || name.startsWith("_")) {
                throw new InvalidParameterException(name, "is not a filter of the list");
            }
            request.set(name, value);
        }
        return request;
    }

    private void set(String name, String value) {
        switch (name) {
            case "connectionStatus" -> connectionStatus = value;
            case "connectedAfter" -> connectedAfter = value;
            case "connectedBefore" -> connectedBefore = value;
            case "lastConnectedAfter" -> lastConnectedAfter = value;
            case "lastConnectedBefore" -> lastConnectedBefore = value;
            case "disconnectedAfter" -> disconnectedAfter = value;
            case "disconnectedBefore" -> disconnectedBefore = value;
            case "activeAfter" -> activeAfter = value;
            case "activeBefore" -> activeBefore = value;
            case "disconnectInitiator" -> disconnectInitiator = value;
            case "disconnectReasonCode" -> disconnectReasonCode = value;
            case "clientIdPrefix" -> clientIdPrefix = value;
            case "clientType" -> clientType = value;
            case "deviceType" -> deviceType = value;
            case "deviceId" -> deviceId = value;
            case "flapping" -> flapping = value;
            default -> throw new InvalidParameterException(name, "is not a filter of the list");
        }
    }

    public StateFilter filter(Instant now) {
        if (connectedAfter != null && lastConnectedAfter != null) {
            throw new InvalidParameterException("lastConnectedAfter", "is an alias of connectedAfter; give one");
        }
        if (connectedBefore != null && lastConnectedBefore != null) {
            throw new InvalidParameterException("lastConnectedBefore", "is an alias of connectedBefore; give one");
        }
        String after = connectedAfter != null ? connectedAfter : lastConnectedAfter;
        String afterName = connectedAfter != null ? "connectedAfter" : "lastConnectedAfter";
        String before = connectedBefore != null ? connectedBefore : lastConnectedBefore;
        String beforeName = connectedBefore != null ? "connectedBefore" : "lastConnectedBefore";
        return new StateFilter(
                QueryParameters.oneOf("connectionStatus", connectionStatus, Set.of("connected", "disconnected")),
                QueryParameters.time(afterName, after, now),
                QueryParameters.time(beforeName, before, now),
                QueryParameters.time("disconnectedAfter", disconnectedAfter, now),
                QueryParameters.time("disconnectedBefore", disconnectedBefore, now),
                QueryParameters.time("activeAfter", activeAfter, now),
                QueryParameters.time("activeBefore", activeBefore, now),
                QueryParameters.oneOf(
                        "disconnectInitiator", disconnectInitiator, Set.of("client", "server", "network")),
                disconnectReasonCode == null
                        ? null
                        : QueryParameters.integer("disconnectReasonCode", disconnectReasonCode, 0, 255, 0),
                QueryParameters.text("clientIdPrefix", clientIdPrefix),
                QueryParameters.oneOf("clientType", clientType, Set.of("device", "application", "gateway", "client")),
                QueryParameters.text("deviceType", deviceType),
                QueryParameters.text("deviceId", deviceId),
                flapping == null
                        ? null
                        : Boolean.valueOf(QueryParameters.oneOf("flapping", flapping, Set.of("true", "false"))));
    }

    StateSort sort() {
        if (sort == null) {
            return StateSort.BY_ID;
        }
        boolean descending = sort.startsWith("-");
        StateSort.Field field = StateSort.Field.fromApiName(descending ? sort.substring(1) : sort);
        if (field == null) {
            throw new InvalidParameterException(
                    "_sort",
                    "'" + QueryParameters.abbreviate(sort) + "' is not one of id, "
                            + "lastConnectTime, lastDisconnectTime, lastActivityTime (with an optional leading '-')");
        }
        return new StateSort(field, descending);
    }

    int limit() {
        return QueryParameters.integer("_limit", limit, 1, 1000, 25);
    }

    /** Identifies the filter as sent, so that a bookmark is only ever used with the listing it came from. */
    String fingerprint() {
        Map<String, String> values = new TreeMap<>();
        put(values, "connectionStatus", connectionStatus);
        put(values, "connectedAfter", connectedAfter != null ? connectedAfter : lastConnectedAfter);
        put(values, "connectedBefore", connectedBefore != null ? connectedBefore : lastConnectedBefore);
        put(values, "disconnectedAfter", disconnectedAfter);
        put(values, "disconnectedBefore", disconnectedBefore);
        put(values, "activeAfter", activeAfter);
        put(values, "activeBefore", activeBefore);
        put(values, "disconnectInitiator", disconnectInitiator);
        put(values, "disconnectReasonCode", disconnectReasonCode);
        put(values, "clientIdPrefix", clientIdPrefix);
        put(values, "clientType", clientType);
        put(values, "deviceType", deviceType);
        put(values, "deviceId", deviceId);
        put(values, "flapping", flapping);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(values.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(Map<String, String> values, String name, String value) {
        if (value != null) {
            values.put(name, value);
        }
    }
}
