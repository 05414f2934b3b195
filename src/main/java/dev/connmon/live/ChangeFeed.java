package dev.connmon.live;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.metrics.Gauges;
import dev.connmon.state.ChangeReader;
import dev.connmon.state.ChangeReader.Change;
import dev.connmon.state.StateChanges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Predicate;

/**
 * The committed state changes, in id order, from PostgreSQL: whichever instance ingested a change, every instance
 * reads it here. LISTEN/NOTIFY wakes the reader at each commit; a poll every second covers notifications lost
 * while the listening connection reconnects. Ids become visible in order (StateRepository's feed lock), so the
 * cursor never passes a change that is still to commit.
 */
@ApplicationScoped
public class ChangeFeed {
    private static final int READ_LIMIT = 1000;

    /** Where the feed reads: {@link ChangeReader#between} in the application, a test's list in ChangeFeedTest. */
    interface Source extends OrderedFeed.Source<Change> {}

    private final ChangeReader reader;
    private final OrderedFeed<Change> feed;
    private final Vertx vertx;
    private final Pool pool;
    private final int subscriberBuffer;
    private SqlConnection listener;
    private volatile boolean stopped;
    private long pollTimer = -1;

    @Inject
    ChangeFeed(ChangeReader reader, Vertx vertx, Pool pool, MeterRegistry registry, ConnmonConfig config) {
        this(reader, reader::between, vertx, pool, registry, config.live().subscriberBuffer());
    }

    /** Without a database or Vert.x: nothing listens or polls, the caller reads ({@link #read}). */
    ChangeFeed(Source source, MeterRegistry registry, int subscriberBuffer) {
        this(null, source, null, null, registry, subscriberBuffer);
    }

    private ChangeFeed(
            ChangeReader reader, Source source, Vertx vertx, Pool pool, MeterRegistry registry, int subscriberBuffer) {
        this.reader = reader;
        this.feed = new OrderedFeed<>("Change", source, Change::id, READ_LIMIT, subscriberBuffer);
        this.vertx = vertx;
        this.pool = pool;
        this.subscriberBuffer = subscriberBuffer;
        Gauges.register(
                registry,
                "connmon.live.subscribers",
                Tags.empty(),
                "Live change-feed subscribers (SSE streams and the monitoring-topic publisher)",
                feed.subscribers(),
                List::size);
    }

    void start(@Observes StartupEvent event) {
        feed.startAfter(reader.lastId().await().indefinitely());
        listen();
        pollTimer = vertx.setPeriodic(1000, id -> read());
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        if (pollTimer != -1) {
            vertx.cancelTimer(pollTimer);
        }
        SqlConnection current = listener;
        if (current != null) {
            current.closeAndForget();
        }
        feed.complete();
    }

    /**
     * LISTENs on a connection of the datasource's own pool, so that it has every option the datasource has (TLS,
     * credentials, additional properties); when that connection closes, another one listens, and the poll covers
     * what was notified in between.
     */
    private void listen() {
        if (stopped) {
            return;
        }
        pool.getConnection()
                .subscribe()
                .with(
                        connection -> {
                            PgConnection pg = PgConnection.cast(connection.getDelegate());
                            pg.notificationHandler(notification -> read());
                            pg.closeHandler(ignored -> {
                                listener = null;
                                if (!stopped) {
                                    vertx.setTimer(1000, id -> listen());
                                }
                            });
                            connection
                                    .query("LISTEN " + StateChanges.CHANNEL)
                                    .execute()
                                    .subscribe()
                                    .with(
                                            rows -> {
                                                listener = connection;
                                                read();
                                            },
                                            failure -> {
                                                Log.warnf(
                                                        "Change feed: cannot LISTEN (%s); polling until it can",
                                                        failure.getMessage());
                                                connection.closeAndForget();
                                            });
                        },
                        failure -> {
                            Log.warnf(
                                    "Change feed: no connection to LISTEN on (%s); polling until there is one",
                                    failure.getMessage());
                            vertx.setTimer(1000, id -> listen());
                        });
    }

    /**
     * Changes after {@code lastId}: the stored ones first, then live ones, with no gap and no duplicate at the seam.
     * A subscriber more than {@code connmon.live.subscriber-buffer} changes behind fails with
     * {@link io.smallrye.mutiny.subscription.BackPressureFailure} and can resume from its last id.
     */
    public Multi<Change> since(long lastId) {
        return since(lastId, change -> true);
    }

    /**
     * The changes after {@code lastId} that {@code wants} accepts. The test runs in the feed, before queueing:
     * most changes concern few subscribers, and a change nobody wants costs a predicate call per subscriber.
     */
    public Multi<Change> since(long lastId, Predicate<Change> wants) {
        return since(lastId, wants, subscriberBuffer);
    }

    /**
     * As {@link #since(long, Predicate)}, with a buffer of its own: for connmon's own subscribers, whose memory is
     * bounded by the ingest rate rather than by how many browsers connect.
     */
    public Multi<Change> since(long lastId, Predicate<Change> wants, int buffer) {
        return feed.since(lastId, wants, buffer);
    }

    /** Live subscribers registered now (the {@code connmon_live_subscribers} gauge). */
    public int subscriberCount() {
        return feed.subscribers().size();
    }

    /** Reads what was committed since the cursor and hands it to the subscribers (at a notification, each poll). */
    void read() {
        feed.read();
    }

    /** The id of the last change handed to live subscribers. */
    public long cursor() {
        return feed.cursor();
    }
}
