package dev.connmon.live;

import dev.connmon.cluster.Leadership;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.lifecycle.TopicLevels;
import dev.connmon.state.ChangeReader.Change;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.mqtt.MqttMessage;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes every state change, retained, QoS 1, on the monitoring topic (CONTRACT §4); a deletion clears the
 * client's retained message. One instance publishes at a time, the {@link Leadership} of a PostgreSQL session lock,
 * fenced, so that several instances never interleave stale states onto a topic. It resumes from the stored cursor,
 * so a takeover after an instance dies leaves no change unpublished.
 */
@ApplicationScoped
public class MonitorPublisher {
    static final String CHANNEL = "monitor";
    private static final long LEADER_LOCK = dev.connmon.cluster.AdvisoryLocks.MONITOR_LEADER;

    private final ChangeFeed feed;
    private final Pool pool;
    private final Vertx vertx;
    private final MutinyEmitter<byte[]> emitter;
    private final String topicTemplate;
    private final Leadership leadership;
    private volatile Cancellable publishing;

    @Inject
    WatsonStatus watson;

    MonitorPublisher(
            ChangeFeed feed,
            Pool pool,
            Vertx vertx,
            @Channel(CHANNEL) MutinyEmitter<byte[]> emitter,
            ConnmonConfig config) {
        this.feed = feed;
        this.pool = pool;
        this.vertx = vertx;
        this.emitter = emitter;
        this.topicTemplate = config.monitor().topic();
        this.leadership = new Leadership(
                "the MQTT monitoring topic",
                LEADER_LOCK,
                pool,
                vertx,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                this::publishFromCursor,
                this::stopPublishing);
    }

    void start(@Observes StartupEvent event) {
        leadership.start();
    }

    void stop(@Observes ShutdownEvent event) {
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
        publishing = feed.since(after)
                // checked before every message: a term that ended publishes nothing more, even before the cancel
                .onItem()
                .transformToUniAndConcatenate(change ->
                        Leadership.require(term).chain(() -> send(change)).replaceWith(change.id()))
                .group()
                .intoLists()
                .every(Duration.ofMillis(500))
                .onItem()
                .transformToUniAndConcatenate(ids -> ids.isEmpty()
                        ? Uni.createFrom().voidItem()
                        : Leadership.require(term).chain(() -> saveCursor(ids.get(ids.size() - 1))))
                .emitOn(Infrastructure.getDefaultExecutor())
                .subscribe()
                .with(ignored -> {}, failure -> {
                    // fell behind the feed, or the broker refused: resume from the stored cursor
                    if (term.current()) {
                        Log.warnf("Monitoring topic: %s; resuming", failure.getMessage());
                        vertx.setTimer(1000, id -> publishFromCursor(term));
                    }
                });
        if (!term.current()) {
            stopPublishing();
        }
    }

    /** The change's monitoring message, then its Watson status messages (CONTRACT §7), each retained, in order. */
    private Uni<Void> send(Change change) {
        String topic = topicTemplate.replace("{clientId}", TopicLevels.escape(change.clientId()));
        byte[] payload = change.json() == null ? new byte[0] : change.json().getBytes(StandardCharsets.UTF_8);
        Uni<Void> sent = emitter.sendMessage(MqttMessage.of(topic, payload, MqttQoS.AT_LEAST_ONCE, true));
        for (WatsonStatus.Status status : watson.of(change)) {
            sent = sent.chain(() ->
                    emitter.sendMessage(MqttMessage.of(status.topic(), status.payload(), MqttQoS.AT_LEAST_ONCE, true)));
        }
        return sent;
    }

    /**
     * One retained message on the monitoring broker, outside the change feed: the alert topics (CONTRACT §11),
     * published by the instance that leads the alerts. An empty payload clears the topic.
     */
    public Uni<Void> publishRetained(String topic, byte[] payload) {
        return emitter.sendMessage(MqttMessage.of(topic, payload, MqttQoS.AT_LEAST_ONCE, true));
    }

    private Uni<Void> saveCursor(long id) {
        return pool.preparedQuery("UPDATE monitor_cursor SET change_id = $1 WHERE id = 1 AND change_id < $1")
                .execute(Tuple.of(id))
                .replaceWithVoid();
    }
}
