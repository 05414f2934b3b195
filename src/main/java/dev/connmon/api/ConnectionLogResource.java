package dev.connmon.api;

import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.LogEntry;
import dev.connmon.query.LogReader;
import dev.connmon.query.QueryParameters;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

/** The connection log for troubleshooting: connects, refused attempts, client, server and network disconnects. */
@Path("/api/v0002/logs/connection")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Connection log")
public class ConnectionLogResource {
    private static final Set<String> NAMES = Set.of("clientId", "typeId", "deviceId", "since", "until", "_limit");

    private final LogReader reader;
    private final CsvExports csv;

    ConnectionLogResource(LogReader reader, CsvExports csv) {
        this.reader = reader;
        this.csv = csv;
    }

    /** The whole log of the client in [since, until) as CSV, newest first, streamed; {@code _limit} is ignored. */
    @GET
    @Produces(CsvWriter.PRODUCES)
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "A client's connection log as CSV (Accept: text/csv)",
            description = "Every entry in the window, newest first, RFC 4180, streamed; _limit is ignored. Cells "
                    + "that start with =, +, -, @, tab or CR are prefixed with ' (spreadsheet formula injection).")
    @APIResponse(
            responseCode = "200",
            description = "CSV with a header row",
            content =
                    @Content(
                            mediaType = CsvWriter.MEDIA_TYPE,
                            examples = @ExampleObject(name = "log", value = OpenApiExamples.LOG_CSV)))
    public Multi<String> logCsv(
            @RestQuery String clientId,
            @RestQuery String typeId,
            @RestQuery String deviceId,
            @RestQuery String since,
            @RestQuery String until,
            @RestQuery("_limit") String limit,
            @Context UriInfo uri) {
        KnownParameters.require(uri, NAMES);
        Instant now = Instant.now();
        Instant from = QueryParameters.time("since", since, now);
        Instant to = QueryParameters.time("until", until, now);
        if (clientId != null) {
            if (typeId != null || deviceId != null) {
                throw new InvalidParameterException("clientId", "give either clientId or typeId and deviceId");
            }
            return csv.log(QueryParameters.text("clientId", clientId), null, null, from, to);
        }
        if (typeId == null || deviceId == null) {
            throw new InvalidParameterException(
                    typeId == null ? "typeId" : "deviceId", "required: give clientId, or typeId and deviceId");
        }
        return csv.log(
                null, QueryParameters.text("typeId", typeId), QueryParameters.text("deviceId", deviceId), from, to);
    }

    @GET
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "A client's connection log, newest first",
            description = "Name the client by clientId, or a Watson device by typeId and deviceId.")
    @APIResponse(responseCode = "200", description = "Log entries, newest first")
    @APIResponse(responseCode = "400", description = "A parameter is missing or invalid; the problem names it")
    public Uni<List<LogEntry>> log(
            @RestQuery @Parameter(description = "Client id", example = "d:acme:sensor:0042") String clientId,
            @RestQuery @Parameter(description = "Watson device type", example = "sensor") String typeId,
            @RestQuery @Parameter(description = "Watson device id", example = "0042") String deviceId,
            @RestQuery @Parameter(description = "Entries at or after this time. " + StateListRequest.TIME) String since,
            @RestQuery @Parameter(description = "Entries before this time. " + StateListRequest.TIME) String until,
            @RestQuery("_limit")
                    @Parameter(
                            name = "_limit",
                            description = "At most this many entries, 1..1000",
                            schema =
                                    @Schema(
                                            type = SchemaType.INTEGER,
                                            minimum = "1",
                                            maximum = "1000",
                                            defaultValue = "100"))
                    String limit,
            @Context UriInfo uri) {
        KnownParameters.require(uri, NAMES);
        Instant now = Instant.now();
        Instant from = QueryParameters.time("since", since, now);
        Instant to = QueryParameters.time("until", until, now);
        int max = QueryParameters.integer("_limit", limit, 1, 1000, 100);
        if (clientId != null) {
            if (typeId != null || deviceId != null) {
                throw new InvalidParameterException("clientId", "give either clientId or typeId and deviceId");
            }
            return reader.byClientId(QueryParameters.text("clientId", clientId), from, to, max);
        }
        if (typeId == null || deviceId == null) {
            throw new InvalidParameterException(
                    typeId == null ? "typeId" : "deviceId", "required: give clientId, or typeId and deviceId");
        }
        return reader.byDevice(
                QueryParameters.text("typeId", typeId), QueryParameters.text("deviceId", deviceId), from, to, max);
    }
}
