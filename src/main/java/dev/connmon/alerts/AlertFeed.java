package dev.connmon.alerts;

import dev.connmon.live.OrderedFeed;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.function.Predicate;

/**
 * The alerts' events (openings and resolutions), in id order, for SSE: whichever instance evaluates, every instance
 * reads them from PostgreSQL, every 500 ms. Like the change feed, an {@link OrderedFeed}: a subscriber gets the
 * stored events after its Last-Event-ID first, then live ones, with no gap and no duplicate; it registers only when
 * its stream starts, and one that falls {@link #BUFFER} events behind fails with a back-pressure failure.
 */
@ApplicationScoped
public class AlertFeed {
    static final int BUFFER = 1000;
    private static final int READ_LIMIT = 500;

    private final AlertRepository repository;
    private final Vertx vertx;
    private final OrderedFeed<AlertRepository.AlertEvent> feed;
    private long timer = -1;

    AlertFeed(AlertRepository repository, Vertx vertx) {
        this.repository = repository;
        this.vertx = vertx;
        this.feed = new OrderedFeed<>(
                "Alert",
                (after, upTo, limit) -> repository
                        .eventsAfter(after, limit)
                        .map(events -> events.stream()
                                .filter(event -> event.id() <= upTo)
                                .toList()),
                AlertRepository.AlertEvent::id,
                READ_LIMIT,
                BUFFER);
    }

    void start(@Observes StartupEvent event) {
        feed.startAfter(repository.lastEventId().await().indefinitely());
        timer = vertx.setPeriodic(500, id -> feed.read());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
        feed.complete();
    }

    /** The last event handed to live subscribers. */
    public long cursor() {
        return feed.cursor();
    }

    /** The events after {@code lastId} whose alert {@code wants} accepts: stored ones first, then live. */
    public Multi<AlertRepository.AlertEvent> since(long lastId, Predicate<Alert> wants) {
        return feed.since(lastId, event -> wants.test(event.alert()), BUFFER);
    }
}
