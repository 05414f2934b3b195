package dev.connmon.api;

import dev.connmon.live.StreamPermits;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every live stream (SSE) shares: the key's stream quota, and keep-alive comments until its events end. */
final class LiveStreams {
    private LiveStreams() {}

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
