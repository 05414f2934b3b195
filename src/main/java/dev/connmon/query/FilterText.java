package dev.connmon.query;

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

/**
 * The state list's filters as sent ({@code deviceType=pump&clientIdPrefix=d:acme:}), by parameter name, an alias
 * under its own name: read from a request's query string by the API, or from configuration by an alert rule.
 * {@link #filter} checks them, each failure an {@link InvalidParameterException} naming the parameter.
 */
public final class FilterText {
    /** The parameter names of the filters ({@link StateFilter.Field}), with their aliases. */
    public static final Set<String> NAMES = Arrays.stream(StateFilter.Field.values())
            .map(StateFilter.Field::parameter)
            .flatMap(p -> p.alias() == null ? Stream.of(p.name()) : Stream.of(p.name(), p.alias()))
            .collect(Collectors.toUnmodifiableSet());

    private final Map<String, String> filters;

    private FilterText(Map<String, String> filters) {
        this.filters = filters;
    }

    /** Filters already split into names and values; every name is one of {@link #NAMES}. */
    public static FilterText of(Map<String, String> filters) {
        return new FilterText(Map.copyOf(filters));
    }

    /** The filters of a list URL's query string; a name that is no filter is an error naming it. */
    public static FilterText parse(String query) {
        Map<String, String> filters = new HashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (!NAMES.contains(name)) {
                throw new InvalidParameterException(name, "is not a filter of the list");
            }
            filters.put(name, value);
        }
        return new FilterText(filters);
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

    /** Identifies the filter as sent, so that a bookmark is only ever used with the listing it came from. */
    public String fingerprint() {
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
