package dev.connmon.live;

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
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;

/**
 * Publishes every state change, retained, QoS 1, on the monitoring topic (CONTRACT §4); a deletion clears the
 * client's retained message. One instance publishes at a time: the one holding a PostgreSQL session lock, so that
 * several instances never interleave stale states onto a topic. It resumes from the stored cursor, so a takeover
 * after an instance dies leaves no change unpublished.
 */
@ApplicationScoped
public class MonitorPublisher {
    static final String CHANNEL = "monitor";
    private static final long LEADER_LOCK = 7239042;

    private final ChangeFeed feed;
    private final Pool pool;
    private final Vertx vertx;
    private final MutinyEmitter<byte[]> emitter;
    private final String topicTemplate;
    @Inject
    WatsonStatus watson;
    private SqlConnection leaderConnection;
    private Cancellable publishing;
    private long retryTimer = -1;
    private volatile boolean stopped;

    MonitorPublisher(ChangeFeed feed, Pool pool, Vertx vertx,
            @Channel(CHANNEL) MutinyEmitter<byte[]> emitter,
            @ConfigProperty(name = "connmon.monitor.topic", defaultValue = "connmon/clients/{clientId}/state")
            String topicTemplate) {
        this.feed = feed;
        this.pool = pool;
        this.vertx = vertx;
        this.emitter = emitter;
        this.topicTemplate = topicTemplate;
    }

    void start(@Observes StartupEvent event) {
        tryToLead();
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        if (retryTimer != -1) {
            vertx.cancelTimer(retryTimer);
        }
        if (publishing != null) {
            publishing.cancel();
        }
        if (leaderConnection != null) {
            leaderConnection.closeAndForget();
        }
    }

    /** Takes the publisher lock if no other instance holds it; otherwise tries again in a few seconds. */
    private void tryToLead() {
        if (stopped) {
            return;
        }
        pool.getConnection().subscribe().with(connection -> connection
                .preparedQuery("SELECT pg_try_advisory_lock($1) AS leader").execute(Tuple.of(LEADER_LOCK))
                .subscribe().with(rows -> {
                    if (rows.iterator().next().getBoolean("leader")) {
                        leaderConnection = connection;
                        Log.info("This instance publishes the MQTT monitoring topic");
                        publishFromCursor();
                    } else {
                        connection.closeAndForget();
                        retryLater();
                    }
                }, failure -> {
                    connection.closeAndForget();
                    retryLater();
                }), failure -> retryLater());
    }

    private void retryLater() {
        if (!stopped) {
            retryTimer = vertx.setTimer(5000, id -> tryToLead());
        }
    }

    private void publishFromCursor() {
        pool.query("SELECT change_id FROM monitor_cursor WHERE id = 1").execute()
                .map(rows -> rows.iterator().next().getLong("change_id"))
                .subscribe().with(this::publishFrom, failure -> {
                    Log.warnf("Monitoring topic: cannot read the cursor: %s", failure.getMessage());
                    vertx.setTimer(1000, id -> publishFromCursor());
                });
    }

    private void publishFrom(long after) {
        publishing = feed.since(after)
                .onItem().transformToUniAndConcatenate(change -> send(change).replaceWith(change.id()))
                .group().intoLists().every(Duration.ofMillis(500))
                .onItem().transformToUniAndConcatenate(ids -> ids.isEmpty() ? Uni.createFrom().voidItem()
                        : saveCursor(ids.get(ids.size() - 1)))
                .emitOn(Infrastructure.getDefaultExecutor())
                .subscribe().with(
                        ignored -> { },
                        failure -> {
                            // fell behind the feed, or the broker refused: resume from the stored cursor
                            Log.warnf("Monitoring topic: %s; resuming", failure.getMessage());
                            if (!stopped) {
                                vertx.setTimer(1000, id -> publishFromCursor());
                            }
                        });
    }

    /** The change's monitoring message, then its Watson status messages (CONTRACT §7), each retained, in order. */
    private Uni<Void> send(Change change) {
        String topic = topicTemplate.replace("{clientId}", TopicLevels.escape(change.clientId()));
        byte[] payload = change.json() == null ? new byte[0] : change.json().getBytes(StandardCharsets.UTF_8);
        Uni<Void> sent = emitter.sendMessage(MqttMessage.of(topic, payload, MqttQoS.AT_LEAST_ONCE, true));
        for (WatsonStatus.Status status : watson.of(change)) {
            sent = sent.chain(() -> emitter.sendMessage(
                    MqttMessage.of(status.topic(), status.payload(), MqttQoS.AT_LEAST_ONCE, true)));
        }
        return sent;
    }

    private Uni<Void> saveCursor(long id) {
        return pool.preparedQuery("UPDATE monitor_cursor SET change_id = $1 WHERE id = 1 AND change_id < $1")
                .execute(Tuple.of(id)).replaceWithVoid();
    }
}
