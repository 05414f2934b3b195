package dev.connmon.api;

import dev.connmon.fleet.FleetBreakdown;
import dev.connmon.fleet.Timeline;
import dev.connmon.fleet.TimelineReader;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.QueryParameters;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

/** Fleet health over time (docs/api.md §10.2). */
@Path("/api/v0002/fleet")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Fleet health")
public class FleetResource {
    private static final Set<String> NAMES = Set.of("since", "until", "step", "clientType", "deviceType");

    private static final Set<String> REASON_NAMES = Set.of("since", "clientType", "deviceType", "_limit");
    private static final Set<String> CLIENT_TYPES = Set.of("device", "application", "gateway", "client");

    private final TimelineReader timeline;
    private final FleetBreakdown breakdown;

    FleetResource(TimelineReader timeline, FleetBreakdown breakdown) {
        this.timeline = timeline;
        this.breakdown = breakdown;
    }

    /** docs/api.md §10.5: clients by the reason of their last disconnect, for the dashboard's "top reasons". */
    @GET
    @Path("disconnect-reasons")
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "Clients by the reason of their last disconnect",
            description = "The clients whose last disconnect is after since, grouped by its initiator and reason "
                    + "code, most clients first; each group is the list's disconnectedAfter=<since>"
                    + "&disconnectInitiator=…&disconnectReasonCode=…")
    @APIResponse(responseCode = "400", description = "A parameter is invalid; the problem names it")
    public Uni<FleetBreakdown.Reasons> disconnectReasons(
            @RestQuery @Parameter(description = "Start (default P1D). " + StateListRequest.TIME) String since,
            @RestQuery
                    @Parameter(
                            description = "Only this Watson client type",
                            schema = @Schema(enumeration = {"device", "application", "gateway", "client"}))
                    String clientType,
            @RestQuery @Parameter(description = "Only this Watson device type", example = "sensor") String deviceType,
            @RestQuery("_limit")
                    @Parameter(
                            name = "_limit",
                            description = "At most this many reasons, 1..100",
                            schema = @Schema(defaultValue = "10"))
                    String limit,
            @Context UriInfo uri) {
        KnownParameters.require(uri, REASON_NAMES);
        Instant now = Instant.now();
        TimeWindow window = TimeWindow.parse(since, null, null, now, Duration.ofDays(1), null, Duration.ZERO);
        return breakdown.reasons(
                window.since(),
                now,
                QueryParameters.oneOf("clientType", clientType, CLIENT_TYPES),
                QueryParameters.text("deviceType", deviceType),
                QueryParameters.integer("_limit", limit, 1, 100, 10));
    }

    /** docs/api.md §10.5: the client and device types of the fleet, from the newest timeline sample. */
    @GET
    @Path("types")
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "Client and device types with their counts",
            description = "From the newest timeline sample (at most connmon.timeline.sample-interval old): clients "
                    + "per client type, and the 200 device types with the most clients, connected and disconnected.")
    public Uni<FleetBreakdown.Types> types(@Context UriInfo uri) {
        KnownParameters.require(uri, Set.of());
        return breakdown.types(200);
    }

    @GET
    @Path("timeline")
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "Connected and disconnected clients and events over time",
            description = "Per bucket: the matching clients connected and disconnected at its end (the last "
                    + "bucket: now; null where connmon has no sample of that time, e.g. before it started), and the "
                    + "events stored with a time inside it. Buckets start at since rounded down to the minute.")
    @APIResponse(
            responseCode = "200",
            description = "The timeline",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Timeline.class),
                            examples = @ExampleObject(name = "one day", value = OpenApiExamples.TIMELINE)))
    @APIResponse(responseCode = "400", description = "A parameter is invalid; the problem names it")
    public Uni<Timeline> timeline(
            @RestQuery @Parameter(description = "Start (default P1D). " + StateListRequest.TIME) String since,
            @RestQuery @Parameter(description = "End (default now). " + StateListRequest.TIME) String until,
            @RestQuery
                    @Parameter(
                            description = "Bucket length, whole minutes, at least PT1M, at most 1000 " + "buckets",
                            example = "PT5M",
                            schema = @Schema(defaultValue = "PT5M"))
                    String step,
            @RestQuery
                    @Parameter(
                            description = "Only this Watson client type",
                            schema = @Schema(enumeration = {"device", "application", "gateway", "client"}))
                    String clientType,
            @RestQuery @Parameter(description = "Only this Watson device type", example = "sensor") String deviceType,
            @Context UriInfo uri) {
        KnownParameters.require(uri, NAMES);
        Instant now = Instant.now();
        TimeWindow window = TimeWindow.parse(
                since, until, step, now, Duration.ofDays(1), Duration.ofMinutes(5), Duration.ofMinutes(1));
        if (window.step().toMillis() % 60_000 != 0) {
            throw new InvalidParameterException("step", "must be whole minutes (the counters are per minute)");
        }
        TimelineReader.Filter filter = new TimelineReader.Filter(
                QueryParameters.oneOf("clientType", clientType, CLIENT_TYPES),
                QueryParameters.text("deviceType", deviceType));
        return timeline.timeline(window.since(), window.until(), window.step(), filter, now);
    }
}
