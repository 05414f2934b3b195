package dev.connmon.api;

import dev.connmon.query.FilterParameter;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateSort;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The query parameters of the state list (CONTRACT §2), as sent; {@link #filter} and {@link #sort} check them. The
 * filters are those of {@link StateFilter.Field}, read from the query string ({@link #read}) and documented in
 * OpenAPI by {@link StateListOpenApi}; the page's parameters are fields.
 */
public class StateListRequest {
    static final String TIME = "ISO 8601 time (2026-11-26T06:00:00Z), epoch milliseconds, or ISO 8601 duration "
            + "meaning that long ago (P2D, PT15M)";

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

    /** The filters as sent, by parameter name (an alias under its own name); see {@link #read}. */
    private final Map<String, String> filters = new HashMap<>();

    /** The query parameter names of the filters (StateFilter.Field), with their aliases. */
    static final Set<String> FILTER_NAMES = Arrays.stream(StateFilter.Field.values())
            .map(StateFilter.Field::parameter)
            .flatMap(p -> p.alias() == null ? Stream.of(p.name()) : Stream.of(p.name(), p.alias()))
            .collect(Collectors.toUnmodifiableSet());

    /** Every query parameter of the list: the filters, and the page's. */
    static final Set<String> NAMES = Stream.concat(FILTER_NAMES.stream(), Stream.of("_limit", "_sort", "_bookmark"))
            .collect(Collectors.toUnmodifiableSet());

    /**
     * Takes the filters from the request's query string (the first value of each, as for the page's parameters);
     * any parameter not in {@code known} is a 400.
     */
    StateListRequest read(UriInfo uri, Set<String> known) {
        QueryParameters.requireKnown(uri, known);
        uri.getQueryParameters().forEach((name, values) -> {
            if (FILTER_NAMES.contains(name) && !values.isEmpty()) {
                filters.put(name, values.get(0));
            }
        });
        return this;
    }

    /** The filter parameters of a list URL's query string ({@code deviceType=pump&clientIdPrefix=d:acme:}). */
    public static StateListRequest parseFilter(String query) {
        StateListRequest request = new StateListRequest();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!FILTER_NAMES.contains(name)) {
                throw new InvalidParameterException(name, "is not a filter of the list");
            }
            request.filters.put(name, value);
        }
        return request;
    }

    /** The filter, relative times resolved against {@code now}; a value that cannot be used is a 400 naming it. */
    public StateFilter filter(Instant now) {
        for (StateFilter.Field field : StateFilter.Field.values()) {
            FilterParameter p = field.parameter();
            if (p.alias() != null && filters.containsKey(p.name()) && filters.containsKey(p.alias())) {
                throw new InvalidParameterException(p.alias(), "is an alias of " + p.name() + "; give one");
            }
        }
        Map<StateFilter.Field, Object> values = new EnumMap<>(StateFilter.Field.class);
        for (StateFilter.Field field : StateFilter.Field.values()) {
            FilterParameter p = field.parameter();
            String name = p.alias() != null && !filters.containsKey(p.name()) ? p.alias() : p.name();
            String value = filters.get(name);
            if (value != null) {
                values.put(field, value(p, name, value, now));
            }
        }
        return StateFilter.of(values);
    }

    private static Object value(FilterParameter p, String name, String value, Instant now) {
        return switch (p.type()) {
            case TEXT ->
                p.values().isEmpty()
                        ? QueryParameters.text(name, value)
                        : QueryParameters.oneOf(name, value, Set.copyOf(p.values()));
            case TIME -> QueryParameters.time(name, value, now);
            case INTEGER -> QueryParameters.integer(name, value, p.min(), p.max(), 0);
            case BOOLEAN -> Boolean.valueOf(QueryParameters.oneOf(name, value, Set.copyOf(p.values())));
        };
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
        for (StateFilter.Field field : StateFilter.Field.values()) {
            FilterParameter p = field.parameter();
            String value =
                    filters.containsKey(p.name()) || p.alias() == null ? filters.get(p.name()) : filters.get(p.alias());
            if (value != null) {
                values.put(p.name(), value);
            }
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(values.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
