package dev.connmon.api;

import dev.connmon.query.InvalidParameterException;
import dev.connmon.security.AccessTokenMechanism;
import jakarta.ws.rs.core.UriInfo;
import java.util.Set;
import java.util.TreeSet;

/** The query parameters an endpoint takes, and nothing else. */
final class KnownParameters {
    private KnownParameters() {}

    /** A typo must not silently widen a query: unknown parameters are refused. */
    static void require(UriInfo uri, Set<String> known) {
        Set<String> unknown = new TreeSet<>(uri.getQueryParameters().keySet());
        unknown.removeAll(known);
        // credentials, not a query parameter: any GET may carry a stream token (docs/api.md §12)
        unknown.remove(AccessTokenMechanism.PARAMETER);
        if (!unknown.isEmpty()) {
            String name = unknown.iterator().next();
            throw new InvalidParameterException(
                    name,
                    known.isEmpty()
                            ? "unknown parameter; this endpoint takes none"
                            : "unknown parameter; known parameters are " + String.join(", ", new TreeSet<>(known)));
        }
    }
}
