package dev.connmon.api;

import dev.connmon.live.StreamPermits;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/** What every live stream (SSE) shares: the key's stream quota, and keep-alive comments until its events end. */
final class LiveStreams {
    private LiveStreams() {}

    /**
     * The id a stream resumes after: the {@code Last-Event-ID} header's, else the {@code lastEventId} parameter's
     * (for clients that cannot send the header), else {@code now}'s, the newest stored; a bad id is a 400 naming
     * where it came from.
     */
    static long resumeAfter(String lastEventIdHeader, String lastEventId, LongSupplier now) {
        if (lastEventIdHeader != null) {
            return QueryParameters.longValue("Last-Event-ID", lastEventIdHeader);
        }
        return lastEventId != null ? QueryParameters.longValue("lastEventId", lastEventId) : now.getAsLong();
    }

    /**
     * {@code events} with keep-alive comments every {@code keepAlive}, holding one of the caller's stream permits
     * until it ends; 429 when the caller holds its quota. Call it once every parameter is checked, so that a
     * refused request takes no permit.
     */
    static Multi<OutboundSseEvent> open(
            Multi<OutboundSseEvent> events,
            StreamPermits permits,
            SecurityContext security,
            Sse sse,
            Duration keepAlive) {
        StreamPermits.Permit permit =
                permits.acquire(security.getUserPrincipal().getName());
        if (permit == null) {
            throw new TooManyStreamsException(permits.perKey());
        }
        AtomicBoolean ended = new AtomicBoolean();
        // a merge ends only when both sides have: the comments stop once the events end
        Multi<OutboundSseEvent> keepAlives = Multi.createFrom()
                .ticks()
                .every(keepAlive)
                .select()
                .first(tick -> !ended.get())
                .map(tick -> sse.newEventBuilder().comment(" keep-alive").build());
        return Multi.createBy()
                .merging()
                .streams(events.onTermination().invoke(() -> ended.set(true)), keepAlives)
                .onTermination()
                .invoke(permit::release);
    }
}
