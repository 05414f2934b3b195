package dev.connmon.api;

import dev.connmon.state.Timeline;
import dev.connmon.state.TimelineReader;
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

/** Fleet health over time (CONTRACT §10.2). */
@Path("/api/v0002/fleet")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Fleet health")
public class FleetResource {
    private static final Set<String> NAMES = Set.of("since", "until", "step", "clientType", "deviceType");

    private final TimelineReader timeline;

    FleetResource(TimelineReader timeline) {
        this.timeline = timeline;
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
        QueryParameters.requireKnown(uri, NAMES);
        Instant now = Instant.now();
        TimeWindow window = TimeWindow.parse(
                since, until, step, now, Duration.ofDays(1), Duration.ofMinutes(5), Duration.ofMinutes(1));
        if (window.step().toMillis() % 60_000 != 0) {
            throw new InvalidParameterException("step", "must be whole minutes (the counters are per minute)");
        }
        TimelineReader.Filter filter = new TimelineReader.Filter(
                QueryParameters.oneOf("clientType", clientType, Set.of("device", "application", "gateway", "client")),
                QueryParameters.text("deviceType", deviceType));
        return timeline.timeline(window.since(), window.until(), window.step(), filter, now);
    }
}
