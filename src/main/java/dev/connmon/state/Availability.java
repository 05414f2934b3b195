package dev.connmon.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * One client's connected, disconnected and unknown time over a window (CONTRACT §10.1). {@code availability} is
 * connected / (connected + disconnected), null when both are zero; {@code buckets} only when a step was asked for.
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
        long connects,
        long disconnects,
        long failedConnects,
        Map<String, Long> disconnectsByInitiator,
        Outage longestOutage,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<Bucket> buckets) {

    /** The longest time disconnected within the window (clipped to it; an open outage runs to {@code until}). */
    @RegisterForReflection
    public record Outage(String start, String end, double seconds) {}

    /** One step of the window; the last one may be shorter. */
    @RegisterForReflection
    public record Bucket(
            String start,
            String end,
            Double availability,
            double connectedSeconds,
            double disconnectedSeconds,
            double unknownSeconds,
            long disconnects) {}
}
