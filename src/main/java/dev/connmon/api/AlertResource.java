package dev.connmon.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.connmon.alerts.Alert;
import dev.connmon.alerts.AlertFeed;
import dev.connmon.alerts.AlertRepository;
import dev.connmon.alerts.Delivery;
import dev.connmon.alerts.DeliveryRepository;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.live.StreamPermits;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.QueryParameters;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Alerts (docs/api.md §11): what the rules opened and resolved, and how each channel delivered them. */
@Path("/api/v0002/alerts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Alerts")
public class AlertResource {
    private static final Set<String> NAMES = Set.of("state", "rule", "clientId", "_limit", "_bookmark");
    private static final String BOOKMARK = "alerts:";

    /** A page of alerts, newest first; {@code bookmark} is absent on the last page. */
    @RegisterForReflection
    public record AlertList(
            List<Alert> results,
            @JsonInclude(JsonInclude.Include.NON_NULL) String bookmark) {}

    private static final Set<String> STREAM_NAMES = Set.of("state", "rule", "clientId", "lastEventId");

    private final AlertRepository alerts;
    private final DeliveryRepository deliveries;
    private final AlertFeed feed;
    private final StreamPermits permits;
    private final Duration keepAlive;

    AlertResource(
            AlertRepository alerts,
            DeliveryRepository deliveries,
            AlertFeed feed,
            StreamPermits permits,
            ConnmonConfig config) {
        this.alerts = alerts;
        this.deliveries = deliveries;
        this.feed = feed;
        this.permits = permits;
        this.keepAlive = config.live().keepAlive();
    }

    /**
     * Alerts as they open and resolve (docs/api.md §11): one {@code alert} event each, the alert as it was then, with
     * growing ids; {@code Last-Event-ID} (or {@code lastEventId}) replays what was missed. Keep-alive comments.
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "Alerts as they open and resolve (Server-Sent Events)",
            description = "Same filters as the list (state, rule, clientId). Events: 'alert' (data: alert object).")
    public Multi<OutboundSseEvent> stream(
            @RestQuery String state,
            @RestQuery String rule,
            @RestQuery String clientId,
            @RestHeader("Last-Event-ID") String lastEventIdHeader,
            @RestQuery
                    @Parameter(
                            description =
                                    "Resume after this event id (for clients that cannot send " + "Last-Event-ID)")
                    String lastEventId,
            @Context UriInfo uri,
            @Context Sse sse,
            @Context SecurityContext security) {
        KnownParameters.require(uri, STREAM_NAMES);
        String status = QueryParameters.oneOf("state", state, Set.of("open", "resolved"));
        String ruleName = QueryParameters.text("rule", rule);
        String client = QueryParameters.text("clientId", clientId);
        long after = LiveStreams.resumeAfter(lastEventIdHeader, lastEventId, feed::cursor);
        Multi<OutboundSseEvent> events = feed.since(
                        after,
                        alert -> (status == null || status.equals(alert.state()))
                                && (ruleName == null || ruleName.equals(alert.rule()))
                                && (client == null || client.equals(alert.clientId())))
                .map(event -> sse.newEventBuilder()
                        .id(Long.toString(event.id()))
                        .name("alert")
                        .data(String.class, event.json())
                        .build())
                .onFailure(BackPressureFailure.class)
                .recoverWithCompletion();
        return LiveStreams.open(events, permits, security, sse, keepAlive);
    }

    @GET
    @RolesAllowed({"reader", "admin"})
    @Operation(summary = "Alerts, newest first", description = "Keyset pages: pass a page's bookmark as _bookmark.")
    @APIResponse(responseCode = "200", description = "A page of alerts")
    @APIResponse(responseCode = "400", description = "A parameter is invalid; the problem names it")
    public Uni<AlertList> list(
            @RestQuery
                    @Parameter(description = "open or resolved", schema = @Schema(enumeration = {"open", "resolved"}))
                    String state,
            @RestQuery @Parameter(description = "The rule's name (connmon.alerts.<rule>.*)") String rule,
            @RestQuery @Parameter(description = "Client id") String clientId,
            @RestQuery("_limit")
                    @Parameter(
                            name = "_limit",
                            description = "Page size, 1..1000",
                            schema =
                                    @Schema(
                                            type = SchemaType.INTEGER,
                                            minimum = "1",
                                            maximum = "1000",
                                            defaultValue = "25"))
                    String limit,
            @RestQuery("_bookmark") @Parameter(name = "_bookmark", description = "The bookmark of the previous page")
                    String bookmark,
            @Context UriInfo uri) {
        KnownParameters.require(uri, NAMES);
        String status = QueryParameters.oneOf("state", state, Set.of("open", "resolved"));
        int max = QueryParameters.integer("_limit", limit, 1, 1000, 25);
        Long before = bookmark == null ? null : decode(bookmark);
        return alerts.list(
                        status == null ? null : status.equals("open"),
                        QueryParameters.text("rule", rule),
                        QueryParameters.text("clientId", clientId),
                        before,
                        max + 1)
                .map(page -> page.size() <= max
                        ? new AlertList(page, null)
                        : new AlertList(
                                page.subList(0, max), encode(page.get(max - 1).id())));
    }

    @GET
    @Path("{id}/deliveries")
    @RolesAllowed({"reader", "admin"})
    @Operation(summary = "Every attempt at delivering an alert on each of its rule's channels, in order")
    @APIResponse(responseCode = "200", description = "The attempts")
    @APIResponse(responseCode = "404", description = "No such alert")
    public Uni<List<Delivery>> deliveries(@PathParam("id") String id, @Context UriInfo uri) {
        KnownParameters.require(uri, Set.of());
        long alertId = QueryParameters.longValue("id", id);
        return alerts.exists(alertId).flatMap(exists -> {
            if (!exists) {
                throw new NotFoundException("No alert has id " + alertId);
            }
            return deliveries.attempts(alertId);
        });
    }

    private static String encode(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((BOOKMARK + id).getBytes(StandardCharsets.UTF_8));
    }

    private static Long decode(String bookmark) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(bookmark), StandardCharsets.UTF_8);
            if (text.startsWith(BOOKMARK)) {
                return Long.parseLong(text.substring(BOOKMARK.length()));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the one answer for any bookmark that is not ours
        }
        throw new InvalidParameterException("_bookmark", "is not a bookmark of this listing");
    }
}
