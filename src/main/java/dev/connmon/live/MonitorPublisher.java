package dev.connmon.live;

import dev.connmon.cluster.Leadership;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.ingest.MqttSourceSettings;
import dev.connmon.lifecycle.TopicLevels;
import dev.connmon.state.ChangeReader.Change;
import dev.connmon.state.OwnSessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Publishes every state change, retained, QoS 1, on the monitoring topic (docs/api.md §4); a deletion clears the
 * client's retained message. One instance publishes at a time, the {@link Leadership} of a PostgreSQL session lock,
 * fenced, so that several instances never interleave stale states onto a topic. It resumes from the stored cursor,
 * so a takeover after an instance dies leaves no change unpublished.
 * <p>
 * Up to {@link #WINDOW} changes are in flight at once ({@link MonitorConnection}): each change's messages are
 * written in feed order as it arrives, and the cursor moves past a change only once it and every change before it
 * have their PUBACKs.
 */
@ApplicationScoped
public class MonitorPublisher {
    /**
     * Changes published and awaiting their PUBACKs at most; a change has up to three messages (§4, §7). With 256,
     * the round trips to the broker held the publisher back in a storm (44 resumes in a 200 000-event run with the
     * connector's sink, 9 with this connection).
     */
    static final int WINDOW = 1024;

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

    private static final long LEADER_LOCK = dev.connmon.cluster.AdvisoryLocks.MONITOR_LEADER;

    private final ChangeFeed feed;
    private final Pool pool;
    private final Vertx vertx;
    private final MonitorConnection connection;
    private final String topicTemplate;
    private final Leadership leadership;
    private volatile Cancellable publishing;
    private final Counter resumes;

    @Inject
    WatsonStatus watson;

    MonitorPublisher(
            ChangeFeed feed,
            Pool pool,
            OwnSessions sessions,
            Vertx vertx,
            MeterRegistry registry,
            ConnmonConfig config) {
        this.resumes = Counter.builder("connmon.monitor.resumes")
                .description("Times the monitoring publisher stopped (fell behind the change feed, a publish failed)"
                        + " and resumed from its cursor, republishing what was sent since")
                .register(registry);
        this.feed = feed;
        this.pool = pool;
        this.vertx = vertx;
        this.connection =
                new MonitorConnection(vertx, MqttSourceSettings.defaultBroker(ConfigProvider.getConfig()), 4 * WINDOW);
        this.topicTemplate = config.monitor().topic();
        this.leadership = new Leadership(
                "the MQTT monitoring topic",
                LEADER_LOCK,
                sessions::connect,
                vertx,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                this::publishFromCursor,
                this::stopPublishing);
    }

    void start(@Observes StartupEvent event) {
        connection.start();
        leadership.start();
    }

    void stop(@Observes ShutdownEvent event) {
        leadership.stop();
        stopPublishing();
        connection.stop();
    }

    /** Readiness (docs/api.md §5: every broker connection up): the monitoring connection's part. */
    @Readiness
    @ApplicationScoped
    static class Ready implements HealthCheck {
        @Inject
        MonitorPublisher publisher;

        @Override
        public HealthCheckResponse call() {
            // through methods: the injected bean is a client proxy, whose fields are not the bean's
            return HealthCheckResponse.named("monitoring topic")
                    .status(publisher.connected())
                    .withData("broker", publisher.broker())
                    .build();
        }
    }

    boolean connected() {
        return connection.isConnected();
    }

    String broker() {
        return connection.address();
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
        pool.query("SELECT change_id FROM monitor_cursor WHERE id = 1")
                .execute()
                .map(rows -> rows.iterator().next().getLong("change_id"))
                .subscribe()
                .with(after -> publishFrom(after, term), failure -> {
                    Log.warnf("Monitoring topic: cannot read the cursor: %s", failure.getMessage());
                    vertx.setTimer(1000, id -> publishFromCursor(term));
                });
    }

    private void publishFrom(long after, Leadership.Term term) {
        MonitorPipeline pipeline =
                new MonitorPipeline(vertx, connection.context(), pool, term, after, WINDOW, this::send, () -> {
                    resumes.increment();
                    vertx.setTimer(1000, id -> publishFromCursor(term));
                });
        publishing = pipeline;
        feed.since(after, change -> true, FEED_BUFFER).subscribe().withSubscriber(pipeline);
        if (!term.current()) {
            stopPublishing();
        }
    }

    /** The change's monitoring message, then its Watson status messages (docs/api.md §7), written together, in order. */
    private List<CompletableFuture<Void>> send(Change change) {
        String topic = topicTemplate.replace("{clientId}", TopicLevels.escape(change.clientId()));
        byte[] payload = change.json() == null ? new byte[0] : change.json().getBytes(StandardCharsets.UTF_8);
        List<MonitorConnection.Outgoing> messages = new ArrayList<>();
        messages.add(new MonitorConnection.Outgoing(topic, payload));
        for (WatsonStatus.Status status : watson.of(change)) {
            messages.add(new MonitorConnection.Outgoing(status.topic(), status.payload()));
        }
        return connection.publishAll(messages);
    }

    /**
     * One retained message on the monitoring broker, outside the change feed: the alert topics (docs/api.md §11),
     * published by the instance that leads the alerts. An empty payload clears the topic.
     */
    public Uni<Void> publishRetained(String topic, byte[] payload) {
        return Uni.createFrom().completionStage(() -> connection.publish(topic, payload));
    }
}
