package dev.connmon.live;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Rows with growing ids, stored in PostgreSQL, handed out "stored, then live": a subscriber gets the stored rows
 * after its last id first, then the live ones, with no gap and no duplicate at the seam. The owner decides when to
 * {@link #read} (a notification, a poll); a read that comes while one runs, or that filled its limit, reads again at
 * once. A subscriber registers only when its stream starts, and one that falls its buffer behind fails with
 * {@link io.smallrye.mutiny.subscription.BackPressureFailure} and can resume from its last id.
 *
 * @param <T> a row; {@code id} gives its id
 */
public final class OrderedFeed<T> {
    /** Where the feed reads: at most {@code limit} rows with {@code after < id <= upTo}, in id order. */
    public interface Source<T> {
        Uni<List<T>> between(long after, long upTo, int limit);
    }

    /** A live subscriber: what it wants, and its bounded queue. */
    private record Subscriber<T>(Predicate<T> wants, UnicastProcessor<T> queue) {}

    private final String name;
    private final Source<T> source;
    private final ToLongFunction<T> id;
    private final int readLimit;
    private final int liveReadLimit;
    private final List<Subscriber<T>> subscribers = new CopyOnWriteArrayList<>();

    private long cursor;
    private boolean reading;
    private boolean readAgain;

    /**
     * @param name what the feed carries, for its log lines
     * @param buffer the default subscriber buffer: one live read goes into every subscriber's buffer at once, so a
     *     read is never larger (a larger one would close a subscriber that is not behind at all)
     */
    public OrderedFeed(String name, Source<T> source, ToLongFunction<T> id, int readLimit, int buffer) {
        this.name = name;
        this.source = source;
        this.id = id;
        this.readLimit = readLimit;
        this.liveReadLimit = Math.min(readLimit, buffer);
    }

    /** Starts live reads after {@code lastId}, the newest stored row when the feed starts. */
    public synchronized void startAfter(long lastId) {
        cursor = lastId;
    }

    /** The id of the last row handed to live subscribers. */
    public synchronized long cursor() {
        return cursor;
    }

    /** Live subscribers registered now. */
    public List<?> subscribers() {
        return subscribers;
    }

    /**
     * The rows after {@code lastId} that {@code wants} accepts, with a buffer of {@code buffer} rows. The test runs in
     * the feed, before queueing: most rows concern few subscribers.
     */
    public Multi<T> since(long lastId, Predicate<T> wants, int buffer) {
        // registered on subscription, not on call: a stream that is refused or abandoned before it starts (a 429, a
        // client gone) must leave no subscriber behind to queue rows nobody reads
        return Multi.createFrom().deferred(() -> {
            long upTo;
            Subscriber<T> live;
            synchronized (this) {
                upTo = cursor;
                // linked: a subscriber costs memory for what it holds, not for what it might hold
                Queue<T> queue = new LinkedBlockingQueue<>(buffer);
                live = new Subscriber<>(wants, UnicastProcessor.create(queue, null));
                subscribers.add(live);
            }
            Multi<T> stored = replay(Math.min(lastId, upTo), upTo).select().where(wants);
            return Multi.createBy()
                    .concatenating()
                    .streams(stored, live.queue())
                    .select()
                    .where(row -> id.applyAsLong(row) > lastId)
                    .onTermination()
                    .invoke(() -> subscribers.remove(live));
        });
    }

    /** Ends every subscriber's stream (the application stops). */
    public void complete() {
        subscribers.forEach(subscriber -> subscriber.queue().onComplete());
    }

    private Multi<T> replay(long after, long upTo) {
        if (after >= upTo) {
            return Multi.createFrom().empty();
        }
        return Multi.createBy()
                .repeating()
                .uni(
                        () -> new long[] {after},
                        position -> source.between(position[0], upTo, readLimit).invoke(batch -> {
                            if (!batch.isEmpty()) {
                                position[0] = id.applyAsLong(batch.get(batch.size() - 1));
                            }
                        }))
                .whilst(batch -> batch.size() == readLimit)
                .onItem()
                .transformToMultiAndConcatenate(batch -> Multi.createFrom().iterable(batch));
    }

    /** Reads what was stored since the cursor and hands it to the subscribers. */
    public void read() {
        long from;
        synchronized (this) {
            if (reading) {
                readAgain = true;
                return;
            }
            reading = true;
            from = cursor;
        }
        source.between(from, Long.MAX_VALUE, liveReadLimit).subscribe().with(this::publish, failure -> {
            Log.warnf("%s feed: cannot read: %s", name, failure.getMessage());
            finished(false);
        });
    }

    private void publish(List<T> rows) {
        synchronized (this) {
            for (T row : rows) {
                for (Subscriber<T> subscriber : subscribers) {
                    if (subscriber.wants().test(row)) {
                        subscriber.queue().onNext(row);
                    }
                }
                cursor = id.applyAsLong(row);
            }
        }
        finished(rows.size() == liveReadLimit);
    }

    private void finished(boolean more) {
        boolean again;
        synchronized (this) {
            reading = false;
            again = readAgain || more;
            readAgain = false;
        }
        if (again) {
            read();
        }
    }
}
