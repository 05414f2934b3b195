package dev.connmon.api;

import dev.connmon.live.ChangeFeed;
import dev.connmon.query.StateFilter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state stream's events (docs/api.md §3): {@code state} with the state object, {@code deleted} with the id, each
 * with the change's id; a subscriber that falls too far behind gets a last {@code resume} naming the last id it got.
 */
final class StateChangeEvents {
    private StateChangeEvents() {}

    /** The changes of clients matching {@code filter} stored after {@code after}, then live ones. */
    static Multi<OutboundSseEvent> since(ChangeFeed feed, StateFilter filter, long after, Sse sse) {
        AtomicLong delivered = new AtomicLong(after);
        return feed.since(after, c -> c.state() == null ? filter.matchesId(c.clientId()) : filter.matches(c.state()))
                .map(c -> {
                    delivered.set(c.id());
                    return c.state() == null
                            ? sse.newEventBuilder()
                                    .id(Long.toString(c.id()))
                                    .name("deleted")
                                    .data(
                                            String.class,
                                            new JsonObject()
                                                    .put("id", c.clientId())
                                                    .encode())
                                    .build()
                            : sse.newEventBuilder()
                                    .id(Long.toString(c.id()))
                                    .name("state")
                                    .data(String.class, c.json())
                                    .build();
                })
                .onFailure(BackPressureFailure.class)
                .recoverWithItem(() -> sse.newEventBuilder()
                        .id(Long.toString(delivered.get()))
                        .name("resume")
                        .data(
                                String.class,
                                new JsonObject()
                                        .put("lastEventId", delivered.get())
                                        .put(
                                                "reason",
                                                "this subscriber fell too far behind; reconnect with Last-Event-ID")
                                        .encode())
                        .build());
    }
}
