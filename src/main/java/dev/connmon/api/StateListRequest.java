package dev.connmon.api;

import dev.connmon.query.FilterText;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.QueryParameters;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateSort;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * The query parameters of the state list (docs/api.md §2), as sent; {@link #filter} and {@link #sort} check them. The
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

    /** The filters as sent; see {@link #read}. */
    private FilterText filters = FilterText.parse("");

    /** The query parameter names of the filters (StateFilter.Field), with their aliases. */
    static final Set<String> FILTER_NAMES = FilterText.NAMES;

    /** Every query parameter of the list: the filters, and the page's. */
    static final Set<String> NAMES = Stream.concat(FILTER_NAMES.stream(), Stream.of("_limit", "_sort", "_bookmark"))
            .collect(Collectors.toUnmodifiableSet());

    /**
     * Takes the filters from the request's query string (the first value of each, as for the page's parameters);
     * any parameter not in {@code known} is a 400.
     */
    StateListRequest read(UriInfo uri, Set<String> known) {
        KnownParameters.require(uri, known);
        Map<String, String> sent = new HashMap<>();
        uri.getQueryParameters().forEach((name, values) -> {
            if (FILTER_NAMES.contains(name) && !values.isEmpty()) {
                sent.put(name, values.get(0));
            }
        });
        filters = FilterText.of(sent);
        return this;
    }

    /** The filter, relative times resolved against {@code now}; a value that cannot be used is a 400 naming it. */
    StateFilter filter(Instant now) {
        return filters.filter(now);
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
        return filters.fingerprint();
    }
}
