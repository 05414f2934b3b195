package dev.connmon.live;

import dev.connmon.cluster.AdvisoryLocks;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.ingest.Channels;
import dev.connmon.state.ChangeReader.Change;
import dev.connmon.state.OwnSessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.reactive.messaging.kafka.Record;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

/**
 * Produces every state change to the Kafka state topic (connmon.kafka.state-topic, docs/kafka.md): the client's state
 * object as the REST API returns it (docs/api.md §2), keyed by client id; a deletion produces a tombstone. Meant for
 * a compacted topic, whose latest record per key is the fleet's current state. One instance produces at a time, from
 * its cursor ({@link CursorPublisher}); a change counts as published once Kafka acknowledges its record, so a
 * takeover or a failure republishes (at least once) but never skips, and one client's records stay in order (one
 * partition per key, an idempotent producer).
 */
@ApplicationScoped
public class KafkaStatePublisher {
    /** Records produced and awaiting Kafka's acknowledgement at most. */
    static final int WINDOW = 1024;

    /** This publisher's row of monitor_cursor. */
    private static final int CURSOR = 2;

    /** The Kafka connector's subscription to {@link #records()}; null until it subscribes (never, when off). */
    private volatile MultiEmitter<? super Message<Record<String, byte[]>>> sink;

    private final CursorPublisher publisher;
    private final boolean enabled;

    KafkaStatePublisher(
            ChangeFeed feed,
            Pool pool,
            OwnSessions sessions,
            Vertx vertx,
            MeterRegistry registry,
            ConnmonConfig config) {
        this.enabled = config.kafka().bootstrapServers().isPresent()
                && config.kafka().stateTopic().isPresent();
        Counter resumes = Counter.builder("connmon.kafka.state.resumes")
                .description("Times the Kafka state publisher stopped (fell behind the change feed, a record was not"
                        + " acknowledged) and resumed from its cursor, republishing what was sent since")
                .register(registry);
        this.publisher = new CursorPublisher(
                "the Kafka state topic",
                AdvisoryLocks.KAFKA_STATE_LEADER,
                CURSOR,
                feed,
                pool,
                sessions,
                vertx,
                vertx.getOrCreateContext(),
                WINDOW,
                this::send,
                resumes);
    }

    void start(@Observes StartupEvent event) {
        if (enabled) {
            publisher.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        publisher.stop();
    }

    /**
     * The records, for the Kafka connector's sink. A stream rather than an injected emitter: an emitter of a channel
     * the configuration disables fails the start, and the channel is disabled unless Kafka is configured
     * (KafkaSwitch). The window bounds what the buffer holds.
     */
    @Outgoing(Channels.KAFKA_STATES)
    Multi<Message<Record<String, byte[]>>> records() {
        return Multi.createFrom()
                .<Message<Record<String, byte[]>>>emitter(emitter -> sink = emitter, BackPressureStrategy.BUFFER);
    }

    private List<CompletableFuture<Void>> send(Change change) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        byte[] value = change.json() == null ? null : change.json().getBytes(StandardCharsets.UTF_8);
        Message<Record<String, byte[]>> message = Message.of(Record.of(change.clientId(), value))
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                });
        MultiEmitter<? super Message<Record<String, byte[]>>> current = sink;
        if (current == null || current.isCancelled()) {
            // the connector has not subscribed yet, or its stream ended: the pipeline resumes from its cursor
            acked.completeExceptionally(new IllegalStateException("the Kafka producer is not ready"));
        } else {
            current.emit(message);
        }
        return List.of(acked);
    }
}
