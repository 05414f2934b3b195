package dev.connmon.live;

import dev.connmon.cluster.Leadership;
import dev.connmon.state.ChangeReader.Change;
import dev.connmon.state.OwnSessions;
import io.micrometer.core.instrument.Counter;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Publishes the change feed to one sink from a stored cursor, on one instance at a time: the {@link Leadership} of a
 * PostgreSQL session lock, fenced, so that several instances never interleave stale states onto the sink. Each term
 * starts from the cursor (a row of table monitor_cursor), so a takeover after an instance dies leaves no change
 * unpublished; {@link MonitorPipeline} moves the cursor only past what the sink acknowledged.
 */
final class CursorPublisher {
    /**
     * Changes the feed holds for the publisher beyond its window: some 16 MB at most (a change with its state and
     * JSON takes about 2 KB). The feed hands each read to its subscribers at once, up to 1 000 changes, and in a
     * storm a 500-change batch commits every 25 ms or so. With the SSE streams' buffer (1 000) the publisher, its
     * window waiting for PUBACKs, was dropped from the feed up to 9 times in a 200 000-event activity storm, more
     * often the busier the machine. Each time it paused for a second and read the backlog back from PostgreSQL,
     * whose reads of the feed then took 9.7 µs per event instead of 1.5. Past this, it still resumes from
     * its cursor.
     */
    static final int FEED_BUFFER = 8192;

    private final String sink;
    private final int cursor;
    private final ChangeFeed feed;
    private final Pool pool;
    private final Vertx vertx;
    private final Context context;
    private final int window;
    private final Function<Change, List<CompletableFuture<Void>>> send;
    private final Counter resumes;
    private final Leadership leadership;
    private volatile Cancellable publishing;

    /**
     * @param sink what is published, for the logs ("the MQTT monitoring topic")
     * @param cursor the row of monitor_cursor that holds this sink's position
     * @param context where the publishing runs (the sink's own context, if it has one)
     * @param window changes published and awaiting their acknowledgement at most
     * @param send writes a change's messages, each future complete when the sink has it
     */
    CursorPublisher(
            String sink,
            long lockId,
            int cursor,
            ChangeFeed feed,
            Pool pool,
            OwnSessions sessions,
            Vertx vertx,
            Context context,
            int window,
            Function<Change, List<CompletableFuture<Void>>> send,
            Counter resumes) {
        this.sink = sink;
        this.cursor = cursor;
        this.feed = feed;
        this.pool = pool;
        this.vertx = vertx;
        this.context = context;
        this.window = window;
        this.send = send;
        this.resumes = resumes;
        this.leadership = new Leadership(
                sink,
                lockId,
                sessions::connect,
                vertx,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                this::publishFromCursor,
                this::stopPublishing);
    }

    void start() {
        leadership.start();
    }

    void stop() {
        leadership.stop();
        stopPublishing();
    }

    private void stopPublishing() {
        Cancellable current = publishing;
        if (current != null) {
            current.cancel();
        }
    }

    private void publishFromCursor(Leadership.Term term) {
        if (!term.current()) {
            return;
        }
        pool.preparedQuery("SELECT change_id FROM monitor_cursor WHERE id = $1")
                .execute(Tuple.of((short) cursor))
                .map(rows -> rows.iterator().next().getLong("change_id"))
                .subscribe()
                .with(after -> publishFrom(after, term), failure -> {
                    Log.warnf("%s: cannot read the cursor: %s", sink, failure.getMessage());
                    vertx.setTimer(1000, id -> publishFromCursor(term));
                });
    }

    private void publishFrom(long after, Leadership.Term term) {
        MonitorPipeline pipeline =
                new MonitorPipeline(vertx, context, pool, sink, cursor, term, after, window, send, () -> {
                    resumes.increment();
                    vertx.setTimer(1000, id -> publishFromCursor(term));
                });
        publishing = pipeline;
        feed.since(after, change -> true, FEED_BUFFER).subscribe().withSubscriber(pipeline);
        if (!term.current()) {
            stopPublishing();
        }
    }
}
