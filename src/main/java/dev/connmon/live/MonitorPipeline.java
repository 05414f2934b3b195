package dev.connmon.live;

import dev.connmon.cluster.Leadership;
import dev.connmon.state.ChangeReader.Change;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * One run of publishing from a cursor (a row of monitor_cursor) to a sink (the MQTT monitoring topic, Kafka's state
 * topic): asks the feed for what the window has room for, writes each change's
 * messages as it comes, and saves the cursor every 500 ms up to the last change acknowledged with all before it.
 * On any failure (the feed dropped it, a publish failed, the term ended) it stops, and publishing starts again
 * from the saved cursor, republishing, harmlessly, what was sent since.
 */
final class MonitorPipeline implements MultiSubscriber<Change>, Cancellable {
    private final Vertx vertx;
    private final Context context;
    private final Pool pool;
    private final String sink;
    private final int cursor;
    private final Leadership.Term term;
    private final int window;
    private final Function<Change, List<CompletableFuture<Void>>> send;
    private final Runnable resume;
    /** Ids of the changes in flight, in feed order, and whether each is acknowledged. */
    private final ArrayDeque<long[]> inFlight = new ArrayDeque<>();

    private Flow.Subscription subscription;
    private long acknowledged;
    private long saved;
    private boolean done;
    private long cursorTimer = -1;

    /**
     * @param send writes a change's messages, each future complete at its PUBACK
     * @param resume called after a failure while the term lasts: publishing starts again from the saved cursor
     */
    MonitorPipeline(
            Vertx vertx,
            Context context,
            Pool pool,
            String sink,
            int cursor,
            Leadership.Term term,
            long after,
            int window,
            Function<Change, List<CompletableFuture<Void>>> send,
            Runnable resume) {
        this.vertx = vertx;
        this.context = context;
        this.pool = pool;
        this.sink = sink;
        this.cursor = cursor;
        this.term = term;
        this.window = window;
        this.send = send;
        this.resume = resume;
        this.acknowledged = after;
        this.saved = after;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        context.runOnContext(v -> {
            this.subscription = subscription;
            if (done) {
                subscription.cancel();
                return;
            }
            cursorTimer = vertx.setPeriodic(500, id -> context.runOnContext(x -> saveCursor()));
            subscription.request(window);
        });
    }

    @Override
    public void onItem(Change change) {
        context.runOnContext(v -> {
            if (done) {
                return;
            }
            if (!term.current()) {
                stop(null);
                return;
            }
            long[] entry = {change.id(), 0};
            inFlight.add(entry);
            CompletableFuture.allOf(send.apply(change).toArray(CompletableFuture[]::new))
                    .whenComplete((ok, failure) -> context.runOnContext(x -> acknowledged(entry, failure)));
        });
    }

    private void acknowledged(long[] entry, Throwable failure) {
        if (done) {
            return;
        }
        if (failure != null) {
            stop(failure);
            return;
        }
        entry[1] = 1;
        int released = 0;
        while (!inFlight.isEmpty() && inFlight.peek()[1] == 1) {
            acknowledged = inFlight.poll()[0];
            released++;
        }
        if (released > 0) {
            subscription.request(released);
        }
    }

    private void saveCursor() {
        if (acknowledged > saved && term.current()) {
            long id = acknowledged;
            saved = id;
            Leadership.require(term)
                    .chain(() -> pool.preparedQuery(
                                    "UPDATE monitor_cursor SET change_id = $1 WHERE id = $2 AND change_id < $1")
                            .execute(Tuple.of(id, (short) cursor)))
                    .subscribe()
                    .with(ignored -> {}, failure -> {
                        Log.warnf("%s: cannot save the cursor: %s", sink, failure.getMessage());
                        context.runOnContext(x -> saved = Math.min(saved, id - 1));
                    });
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        context.runOnContext(v -> stop(failure));
    }

    @Override
    public void onCompletion() {
        context.runOnContext(v -> stop(null));
    }

    @Override
    public void cancel() {
        context.runOnContext(v -> {
            saveCursor();
            stop(null);
        });
    }

    /** Ends this run; after a failure, while the term lasts, another starts from the saved cursor. */
    private void stop(Throwable failure) {
        if (done) {
            return;
        }
        done = true;
        vertx.cancelTimer(cursorTimer);
        if (subscription != null) {
            subscription.cancel();
        }
        if (failure != null && term.current()) {
            saveCursor();
            Log.warnf("%s: %s; resuming", sink, failure.getMessage());
            resume.run();
        }
    }
}
