package dev.connmon.api;

import dev.connmon.state.StateReader;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Fleet totals for the dashboard: how many clients are connected and disconnected. */
@Path("/api/v0002/summary")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Client connection states")
public class SummaryResource {
    private final StateReader reader;

    SummaryResource(StateReader reader) {
        this.reader = reader;
    }

    @GET
    @RolesAllowed({"reader", "admin"})
    @Operation(summary = "Counts of connected and disconnected clients")
    public Uni<Map<String, Long>> summary(@Context UriInfo uri) {
        QueryParameters.requireKnown(uri, Set.of());
        return reader.countByStatus();
    }
}
