package dev.connmon.alerts;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;

/**
 * The alerts' events (openings and resolutions), in id order, for SSE: whichever instance evaluates, every instance
 * reads them from PostgreSQL, every 500 ms. Like the change feed: a subscriber gets the stored events after its
 * Last-Event-ID first, then live ones, with no gap and no duplicate; it registers only when its stream starts, and
 * one that falls {@link #BUFFER} events behind fails with a back-pressure failure.
 */
@ApplicationScoped
public class AlertFeed {
    static final int BUFFER = 1000;
    private static final int READ_LIMIT = 500;

    private final AlertRepository repository;
    private final Vertx vertx;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private long cursor;
    private boolean reading;
    private long timer = -1;

    private record Subscriber(Predicate<Alert> wants, UnicastProcessor<AlertRepository.AlertEvent> queue) {}

    AlertFeed(AlertRepository repository, Vertx vertx) {
        this.repository = repository;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        cursor = repository.lastEventId().await().indefinitely();
        timer = vertx.setPeriodic(500, id -> read());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
        subscribers.forEach(subscriber -> subscriber.queue().onComplete());
    }

    /** The last event handed to live subscribers. */
    public synchronized long cursor() {
        return cursor;
    }

    /** The events after {@code lastId} whose alert {@code wants} accepts: stored ones first, then live. */
    public Multi<AlertRepository.AlertEvent> since(long lastId, Predicate<Alert> wants) {
        return Multi.createFrom().deferred(() -> {
            long upTo;
            Subscriber live;
            synchronized (this) {
                upTo = cursor;
                Queue<AlertRepository.AlertEvent> queue = new LinkedBlockingQueue<>(BUFFER);
                live = new Subscriber(wants, UnicastProcessor.create(queue, null));
                subscribers.add(live);
            }
            Multi<AlertRepository.AlertEvent> stored =
                    replay(Math.min(lastId, upTo), upTo).select().where(event -> wants.test(event.alert()));
            return Multi.createBy()
                    .concatenating()
                    .streams(stored, live.queue())
                    .select()
                    .where(event -> event.id() > lastId)
                    .onTermination()
                    .invoke(() -> subscribers.remove(live));
        });
    }

    private Multi<AlertRepository.AlertEvent> replay(long after, long upTo) {
        if (after >= upTo) {
            return Multi.createFrom().empty();
        }
        return Multi.createBy()
                .repeating()
                .uni(
                        () -> new long[] {after},
                        position -> repository
                                .eventsAfter(position[0], READ_LIMIT)
                                .map(events -> events.stream()
                                        .filter(event -> event.id() <= upTo)
                                        .toList())
                                .invoke(events -> {
                                    if (!events.isEmpty()) {
                                        position[0] =
                                                events.get(events.size() - 1).id();
                                    }
                                }))
                .whilst(events -> events.size() == READ_LIMIT)
                .onItem()
                .transformToMultiAndConcatenate(Multi.createFrom()::iterable);
    }

    private void read() {
        long from;
        synchronized (this) {
            if (reading) {
                return;
            }
            reading = true;
            from = cursor;
        }
        repository
                .eventsAfter(from, READ_LIMIT)
                .subscribe()
                .with(
                        events -> {
                            synchronized (this) {
                                for (AlertRepository.AlertEvent event : events) {
                                    for (Subscriber subscriber : subscribers) {
                                        if (subscriber.wants().test(event.alert())) {
                                            subscriber.queue().onNext(event);
                                        }
                                    }
                                    cursor = event.id();
                                }
                                reading = false;
                            }
                        },
                        failure -> {
                            Log.warnf("Alert feed: cannot read alert events: %s", failure.getMessage());
                            synchronized (this) {
                                reading = false;
                            }
                        });
    }
}
