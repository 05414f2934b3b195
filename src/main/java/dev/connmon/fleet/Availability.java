package dev.connmon.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * One client's connected, disconnected, unknown, asleep and maintenance time over a window (docs/api.md §10.1).
 * {@code availability} is up (connected + asleep) / (up + disconnected), null when both are zero; {@code buckets}
 * only when a step was asked for.
 */
@RegisterForReflection
public record Availability(
        String id,
        String since,
        String until,
        Double availability,
        double connectedSeconds,
        double disconnectedSeconds,
        double unknownSeconds,
        double asleepSeconds,
        double maintenanceSeconds,
        long connects,
        long disconnects,
        long failedConnects,
        Map<String, Long> disconnectsByInitiator,
        Outage longestOutage,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Bucket> buckets,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Segment> segments) {

    /** The longest time disconnected within the window (clipped to it; an open outage runs to {@code until}). */
    @RegisterForReflection
    public record Outage(String start, String end, double seconds) {}

    /**
     * One unbroken stretch of the window in one status ({@code connected}, {@code disconnected}, {@code unknown},
     * {@code asleep}, {@code maintenance}),
     * only when asked for; {@code cause} is the log message of the event that began it (that event may lie before
     * the window), why it is unknown, or null where connmon has no record.
     */
    @RegisterForReflection
    public record Segment(String start, String end, String status, double seconds, String cause) {}

    /** One step of the window; the last one may be shorter. */
    @RegisterForReflection
    public record Bucket(
            String start,
            String end,
            Double availability,
            double connectedSeconds,
            double disconnectedSeconds,
            double unknownSeconds,
            double asleepSeconds,
            double maintenanceSeconds,
            long disconnects) {}
}
