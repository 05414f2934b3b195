package dev.connmon.api;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.fleet.Availability;
import dev.connmon.fleet.AvailabilityReader;
import dev.connmon.lifecycle.ClientIds;
import dev.connmon.live.ChangeFeed;
import dev.connmon.live.StreamPermits;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.QueryParameters;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateReader;
import dev.connmon.query.StateSort;
import dev.connmon.state.ClientState;
import dev.connmon.state.StateRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Watson-compatible client connection states (docs/api.md §2). */
@Path(ClientStateResource.PATH)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Client connection states")
public class ClientStateResource {
    static final String PATH = "/api/v0002/clientconnectionstates";

    /** The list's filters and where to resume: a stream has no pages. */
    private static final Set<String> STREAM_NAMES = Stream.concat(
                    StateListRequest.FILTER_NAMES.stream(), Stream.of("lastEventId"))
            .collect(Collectors.toUnmodifiableSet());

    private static final Set<String> AVAILABILITY_NAMES = Set.of("since", "until", "step", "segments");

    private final StateReader reader;
    private final StateRepository repository;
    private final ChangeFeed feed;
    private final StreamPermits permits;
    private final Duration keepAlive;
    private final AvailabilityReader availability;
    private final CsvExports csv;

    ClientStateResource(
            StateReader reader,
            StateRepository repository,
            ChangeFeed feed,
            StreamPermits permits,
            AvailabilityReader availability,
            CsvExports csv,
            ConnmonConfig config) {
        this.reader = reader;
        this.availability = availability;
        this.csv = csv;
        this.repository = repository;
        this.feed = feed;
        this.permits = permits;
        this.keepAlive = config.live().keepAlive();
    }

    /**
     * Live state changes (docs/api.md §3): one {@code state} event per change of a matching client, in the order the
     * changes were stored, with growing ids. With {@code Last-Event-ID} (or {@code lastEventId}) the stored changes
     * after it come first. A subscriber that falls too far behind gets a final {@code resume} event naming the last
     * id it received, and the stream ends.
     */
    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    // every event's data is JSON encoded once per change (ChangeReader), written as is to each subscriber
    @RestStreamElementType(MediaType.TEXT_PLAIN)
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "Live state changes (Server-Sent Events)",
            description = "Same filters as the list. Events: 'state' (data: state object), 'deleted' (data: "
                    + "{\"id\"}), 'resume' (the subscriber fell behind; reconnect with this id). Keep-alive comments.")
    public Multi<OutboundSseEvent> stream(
            @BeanParam StateListRequest request,
            @RestHeader("Last-Event-ID") String lastEventIdHeader,
            @RestQuery
                    @Parameter(
                            description =
                                    "Resume after this event id (for clients that cannot send " + "Last-Event-ID)")
                    String lastEventId,
            @Context UriInfo uri,
            @Context Sse sse,
            @Context SecurityContext security) {
        StateFilter filter = request.read(uri, STREAM_NAMES).filter(Instant.now());
        long after = LiveStreams.resumeAfter(lastEventIdHeader, lastEventId, feed::cursor);
        // every parameter is checked before a permit is taken, and the feed registers a subscriber only when the
        // stream is subscribed: a refused request leaves nothing behind
        return LiveStreams.open(StateChangeEvents.since(feed, filter, after, sse), permits, security, sse, keepAlive);
    }

    @GET
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "List client states",
            description = "Filters combine with AND. Pages are keyset-paginated: pass the bookmark of a page as "
                    + "_bookmark to get the next one; bookmark is absent on the last page.")
    @APIResponse(responseCode = "200", description = "A page of client states")
    @APIResponse(responseCode = "400", description = "A parameter is invalid; the problem names it")
    public Uni<StateList> list(@BeanParam StateListRequest request, @Context UriInfo uri) {
        StateSort sort = request.read(uri, StateListRequest.NAMES).sort();
        int limit = request.limit();
        String fingerprint = request.fingerprint();
        Bookmark bookmark = request.bookmark == null ? null : Bookmark.decode("_bookmark", request.bookmark);
        if (bookmark != null && !bookmark.sort().equals(sort.apiName())) {
            throw new InvalidParameterException(
                    "_bookmark", "belongs to a listing sorted by " + bookmark.sort() + ", not " + sort.apiName());
        }
        if (bookmark != null
                && sort.field() == StateSort.Field.ID
                && bookmark.position().key() != null) {
            // the id order has no sort key: only an altered bookmark carries one
            throw new InvalidParameterException("_bookmark", "not a bookmark returned by this API");
        }
        if (bookmark != null && !bookmark.filter().equals(fingerprint)) {
            throw new InvalidParameterException("_bookmark", "belongs to a listing with other filters");
        }
        Instant reference = bookmark == null ? Instant.now() : bookmark.reference();
        StateFilter filter = request.filter(reference);
        return reader.list(filter, sort, bookmark == null ? null : bookmark.position(), limit)
                .map(page -> new StateList(
                        page.results(),
                        page.next() == null
                                ? null
                                : new Bookmark(sort.apiName(), fingerprint, reference, page.next()).encode()));
    }

    /**
     * docs/api.md §10.4: every matching client as CSV, all pages in {@code _sort} order, streamed a page at a time
     * ({@code _limit} and {@code _bookmark} are ignored).
     */
    @GET
    @Produces(CsvWriter.PRODUCES)
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "Export client states as CSV (Accept: text/csv)",
            description = "Same filters and _sort as the list; every matching client, RFC 4180, streamed in "
                    + "constant memory; _limit and _bookmark are ignored. Cells that start with =, +, -, @, tab or "
                    + "CR are prefixed with ' (spreadsheet formula injection).")
    @APIResponse(
            responseCode = "200",
            description = "CSV with a header row of the state fields",
            content =
                    @Content(
                            mediaType = CsvWriter.MEDIA_TYPE,
                            examples = @ExampleObject(name = "states", value = OpenApiExamples.STATES_CSV)))
    @APIResponse(responseCode = "400", description = "A parameter is invalid; the problem names it")
    public Multi<String> csv(@BeanParam StateListRequest request, @Context UriInfo uri) {
        StateSort sort = request.read(uri, StateListRequest.NAMES).sort();
        return csv.states(request.filter(Instant.now()), sort);
    }

    /** The id may hold any UTF-8, percent-encoded, including {@code %2F}: hence the regex that spans segments. */
    @GET
    @Path("{clientId: .+}")
    @RolesAllowed({"reader", "admin"})
    @Operation(summary = "One client's state")
    @APIResponse(responseCode = "200", description = "The client's state")
    @APIResponse(responseCode = "404", description = "No state is known for this client id")
    public Uni<ClientState> get(
            @Parameter(description = "Client id, percent-encoded", example = "d:acme:sensor:0042")
                    @PathParam("clientId")
                    String clientId,
            @Context UriInfo uri) {
        KnownParameters.require(uri, Set.of());
        validate(clientId);
        return reader.findById(clientId).onItem().ifNull().failWith(() -> new ClientNotFoundException(clientId));
    }

    /** docs/api.md §10.1; the literal suffix makes this path win over the plain id's regex. */
    @GET
    @Path("{clientId: .+}/availability")
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "One client's availability over a window",
            description = "Connected, disconnected and unknown seconds from the connection log by event time "
                    + "(the same events in any arrival order give the same answer), counts by initiator, the "
                    + "longest outage, and with step, buckets. Unknown: before connmon's first record of the "
                    + "client, and from its unconfirmedSince on.")
    @APIResponse(
            responseCode = "200",
            description = "The client's availability",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = Availability.class),
                            examples = @ExampleObject(name = "two outages", value = OpenApiExamples.AVAILABILITY)))
    @APIResponse(responseCode = "400", description = "A parameter is invalid; the problem names it")
    @APIResponse(responseCode = "404", description = "No state is known for this client id")
    public Uni<Availability> availability(
            @Parameter(description = "Client id, percent-encoded", example = "d:acme:sensor:0042")
                    @PathParam("clientId")
                    String clientId,
            @RestQuery @Parameter(description = "Window start (default P7D). " + StateListRequest.TIME) String since,
            @RestQuery @Parameter(description = "Window end (default now). " + StateListRequest.TIME) String until,
            @RestQuery
                    @Parameter(
                            description = "Optional bucket length, " + TimeWindow.STEP + "; at most 1000 buckets",
                            example = "P1D")
                    String step,
            @RestQuery
                    @Parameter(
                            description = "true: also the window's unbroken stretches in each status, with the log "
                                    + "message of the event that began each",
                            schema = @Schema(enumeration = {"true", "false"}))
                    String segments,
            @Context UriInfo uri) {
        KnownParameters.require(uri, AVAILABILITY_NAMES);
        validate(clientId);
        TimeWindow window =
                TimeWindow.parse(since, until, step, Instant.now(), Duration.ofDays(7), null, Duration.ofMillis(1));
        boolean withSegments = "true".equals(QueryParameters.oneOf("segments", segments, Set.of("true", "false")));
        return availability
                .of(clientId, window.since(), window.until(), window.step(), withSegments)
                .onItem()
                .ifNull()
                .failWith(() -> new ClientNotFoundException(clientId));
    }

    @DELETE
    @Path("{clientId: .+}")
    @RolesAllowed("admin")
    @Operation(summary = "Forget a client", description = "Deletes the client's state and connection log.")
    @APIResponse(responseCode = "204", description = "Forgotten")
    @APIResponse(responseCode = "404", description = "Nothing was known about this client id")
    public Uni<RestResponse<Void>> delete(@PathParam("clientId") String clientId, @Context UriInfo uri) {
        KnownParameters.require(uri, Set.of());
        validate(clientId);
        return repository.delete(clientId).map(deleted -> {
            if (!deleted) {
                throw new ClientNotFoundException(clientId);
            }
            return RestResponse.noContent();
        });
    }

    private static void validate(String clientId) {
        ClientIds.problem(clientId).ifPresent(reason -> {
            throw new InvalidParameterException("clientId", reason);
        });
    }
}
