package dev.connmon.api;

import dev.connmon.query.QueryParameters;
import dev.connmon.query.RejectedMessage;
import dev.connmon.query.RejectedReader;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

/** Lifecycle messages no dialect could decode, kept for inspection (docs/api.md §1, §5). */
@Path("/api/v0002/rejected")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Rejected messages")
public class RejectedResource {
    private final RejectedReader reader;

    RejectedResource(RejectedReader reader) {
        this.reader = reader;
    }

    @GET
    @RolesAllowed("admin")
    @Operation(
            summary = "Rejected lifecycle messages, newest first",
            description = "Pass the id of the last entry seen as beforeId for older ones.")
    public Uni<List<RejectedMessage>> list(
            @RestQuery @Parameter(description = "Only entries with a smaller id") String beforeId,
            @RestQuery("_limit") @Parameter(name = "_limit", description = "1..1000, default 100") String limit,
            @Context UriInfo uri) {
        KnownParameters.require(uri, Set.of("beforeId", "_limit"));
        Long before =
                beforeId == null ? null : (long) QueryParameters.integer("beforeId", beforeId, 1, Integer.MAX_VALUE, 0);
        return reader.list(before, QueryParameters.integer("_limit", limit, 1, 1000, 100));
    }
}
