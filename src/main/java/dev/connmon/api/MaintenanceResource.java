package dev.connmon.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.QueryParameters;
import dev.connmon.schedule.MaintenanceWindow;
import dev.connmon.schedule.MaintenanceWindows;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

/** Maintenance windows (docs/api.md §10.6): planned time in which clients are neither up nor down, nor alerted on. */
@Path(MaintenanceResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Maintenance windows")
public class MaintenanceResource {
    static final String PATH = "/api/v0002/maintenance";
    private static final Set<String> FIELDS = Set.of("filter", "from", "until", "reason");

    private final MaintenanceWindows windows;
    private final SecurityIdentity identity;
    private final ObjectMapper mapper;

    MaintenanceResource(MaintenanceWindows windows, SecurityIdentity identity, ObjectMapper mapper) {
        this.windows = windows;
        this.identity = identity;
        this.mapper = mapper;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @Operation(
            summary = "Plan a maintenance window",
            description = "The clients the filter names (the list's syntax; only clientIdPrefix, clientType, "
                    + "deviceType, deviceId; empty: every client) are in maintenance from 'from' (default now) "
                    + "until 'until': their availability counts that time as maintenance and no alert opens for "
                    + "them. Times: ISO 8601 or epoch milliseconds.")
    @RequestBody(
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            examples =
                                    @ExampleObject(
                                            name = "pumps",
                                            value = "{\"filter\": \"deviceType=pump\", \"from\": "
                                                    + "\"2026-12-08T02:00:00Z\", \"until\": "
                                                    + "\"2026-12-08T04:00:00Z\", \"reason\": \"firmware 4.2\"}")))
    @APIResponse(responseCode = "201", description = "The window, with its id")
    @APIResponse(responseCode = "400", description = "A field is invalid; the problem names it")
    @APIResponse(responseCode = "409", description = "Too many windows in force or to come")
    public Uni<RestResponse<MaintenanceWindow>> create(String body, @Context UriInfo uri) {
        KnownParameters.require(uri, Set.of());
        JsonNode json = object(body);
        return windows.create(
                        text(json, "filter"),
                        text(json, "from"),
                        text(json, "until"),
                        text(json, "reason"),
                        identity.getPrincipal().getName())
                .map(window -> RestResponse.ResponseBuilder.<MaintenanceWindow>create(RestResponse.Status.CREATED)
                        .entity(window)
                        .location(URI.create(PATH + "/" + window.id()))
                        .build());
    }

    @GET
    @RolesAllowed({"reader", "admin"})
    @Operation(summary = "The maintenance windows in force and to come, by start")
    @APIResponse(responseCode = "200", description = "The windows")
    public Uni<List<MaintenanceWindow>> list(@Context UriInfo uri) {
        KnownParameters.require(uri, Set.of());
        return windows.current();
    }

    @GET
    @Path("{id}")
    @RolesAllowed({"reader", "admin"})
    @Operation(summary = "One maintenance window, past ones included")
    @APIResponse(responseCode = "200", description = "The window")
    @APIResponse(responseCode = "404", description = "No such window")
    public Uni<MaintenanceWindow> get(@PathParam("id") String id, @Context UriInfo uri) {
        KnownParameters.require(uri, Set.of());
        long windowId = id(id);
        return windows.byId(windowId)
                .onItem()
                .ifNull()
                .failWith(() -> new NotFoundException("No maintenance window has id " + windowId));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed("admin")
    @Operation(
            summary = "End a maintenance window now",
            description = "A window in force ends now; one not yet begun is withdrawn.")
    @APIResponse(responseCode = "204", description = "Ended")
    @APIResponse(responseCode = "404", description = "No such window, or it is over already")
    public Uni<RestResponse<Void>> end(@PathParam("id") String id, @Context UriInfo uri) {
        KnownParameters.require(uri, Set.of());
        long windowId = id(id);
        return windows.end(windowId).map(ended -> {
            if (!ended) {
                throw new NotFoundException("No maintenance window " + windowId + " is in force or to come");
            }
            return RestResponse.noContent();
        });
    }

    private static long id(String id) {
        if (id.matches("[1-9][0-9]{0,17}")) {
            return Long.parseLong(id);
        }
        throw new InvalidParameterException("id", "'" + QueryParameters.abbreviate(id) + "' is not a window id");
    }

    private JsonNode object(String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? null : mapper.readTree(body);
        } catch (JsonProcessingException e) {
            // the position only: the parser's message would echo the body
            throw new InvalidParameterException(
                    "body",
                    "is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr() + ")");
        }
        if (json == null || !json.isObject()) {
            throw new InvalidParameterException(
                    "body", "must be a JSON object {\"filter\", \"from\", \"until\", \"reason\"}");
        }
        for (Iterator<String> names = json.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidParameterException(
                        QueryParameters.abbreviate(name),
                        "unknown field; known fields are filter, from, until, reason");
            }
        }
        return json;
    }

    /** A field's text; a number is taken as its digits (epoch milliseconds), null or absent as null. */
    private static String text(JsonNode json, String name) {
        JsonNode value = json.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.asText();
        }
        if (value.isIntegralNumber() && !name.equals("filter") && !name.equals("reason")) {
            return value.asText();
        }
        throw new InvalidParameterException(name, "must be a string");
    }
}
