package dev.connmon.api;

import dev.connmon.alerts.AlertRepository;
import dev.connmon.query.FilterText;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.QueryParameters;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateReader;
import io.quarkus.runtime.annotations.RegisterForReflection;
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
import java.time.Period;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Fleet totals for the dashboard's overview (docs/api.md §2): connected, disconnected, flapping and silent clients and
 * open alerts. Each count is the count of a list filter, so that the dashboard links it to the list it counts.
 */
@Path("/api/v0002/summary")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Client connection states")
public class SummaryResource {
    /** What "silent" means unless asked otherwise: connected with no activity for this long. */
    static final Duration SILENT_DEFAULT = Duration.ofMinutes(15);

    /** {@code silentFor} is the ISO duration behind {@code silent}: connected with no activity for that long. */
    @RegisterForReflection
    public record Summary(
            long connected, long disconnected, long flapping, long silent, String silentFor, long openAlerts) {}

    private final StateReader reader;
    private final AlertRepository alerts;

    SummaryResource(StateReader reader, AlertRepository alerts) {
        this.reader = reader;
        this.alerts = alerts;
    }

    @GET
    @RolesAllowed({"reader", "admin"})
    @Operation(
            summary = "Counts of connected, disconnected, flapping and silent clients and of open alerts",
            description = "silent: connected with no activity for silentFor (the list's connectionStatus=connected"
                    + "&activeBefore=<silentFor>); flapping: the list's flapping=true; openAlerts: alerts not yet "
                    + "resolved.")
    public Uni<Summary> summary(
            @RestQuery @Parameter(description = "ISO 8601 duration, default PT15M", example = "PT15M") String silentFor,
            @Context UriInfo uri) {
        KnownParameters.require(uri, Set.of("silentFor"));
        Duration silence = silentFor == null ? SILENT_DEFAULT : TimeWindow.duration("silentFor", silentFor);
        if (silence.isNegative() || silence.isZero()) {
            throw new InvalidParameterException("silentFor", "must be a positive duration");
        }
        Instant now = Instant.now();
        // the silence reaches back within the years connmon stores, or the filter below fails on it
        QueryParameters.ago("silentFor", silence.toString(), Period.ZERO, silence, now);
        // the very filters the dashboard links the counts to, so that a count and its list agree
        StateFilter flapping = FilterText.parse("flapping=true").filter(now);
        StateFilter silent = FilterText.parse("connectionStatus=connected&activeBefore=" + silence)
                .filter(now);
        return Uni.combine()
                .all()
                .unis(reader.countByStatus(), reader.count(flapping), reader.count(silent), alerts.countOpen())
                .with((byStatus, flappingCount, silentCount, open) -> new Summary(
                        byStatus.get("connected"),
                        byStatus.get("disconnected"),
                        flappingCount,
                        silentCount,
                        silence.toString(),
                        open));
    }
}
