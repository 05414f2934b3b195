package dev.connmon.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * One source's share of {@link InProcessLifecycle}: the embedded broker's events that its pipeline takes directly,
 * those that wait for the pipeline's demand, and the counts of each outcome. {@link #admit} runs on a broker thread;
 * everything else on the source's Vert.x context.
 */
final class InProcessHandOff {
    /**
     * In-process events handed to the event loop or held for demand, not yet emitted; past this, their MQTT copies
     * carry them. Held, an event waits for the batches in flight to commit (well within the broker's
     * {@link InProcessLifecycle#COMMIT_WAIT_MS} at a storm's rates): refused at once, it would go through the broker's
     * disk queue and connmon's MQTT connection instead, which cost the embedded broker more than the event's ingest.
     */
    private static final int MAX_WAITING = 8192;

    private record Event(String topic, byte[] payload, CompletableFuture<Void> committed) {}

    private final MqttSourceSettings settings;
    private final AtomicInteger waiting = new AtomicInteger();
    /** Events that came while the pipeline asked for nothing, oldest first: emitted as demand comes. */
    private final ArrayDeque<Event> held = new ArrayDeque<>();

    private final Counter taken;
    private final Counter left;
    private final Counter late;

    InProcessHandOff(MqttSourceSettings settings, MeterRegistry metrics) {
        this.settings = settings;
        this.taken = counter(metrics, "taken");
        this.left = counter(metrics, "left-to-mqtt");
        this.late = counter(metrics, "late");
    }

    private Counter counter(MeterRegistry metrics, String outcome) {
        return Counter.builder("connmon.ingest.in.process")
                .tag("source", settings.name())
                .tag("outcome", outcome)
                .description("Events of the embedded broker in connmon's JVM: taken in-process, left to the broker's"
                        + " MQTT queue, or committed too late (the broker queued them as well; stored twice, to no"
                        + " effect)")
                .register(metrics);
    }

    /** From a broker thread: whether one more event may wait for the source's context; if not, it is refused. */
    boolean admit(CompletableFuture<Void> committed) {
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            notTaken(committed);
            return false;
        }
        return true;
    }

    /**
     * An admitted event, on the source's context: emitted now when nothing is held and the pipeline asks for more,
     * held for demand otherwise; refused when the source cannot take it.
     */
    void take(
            String topic,
            byte[] payload,
            CompletableFuture<Void> committed,
            boolean takes,
            MultiEmitter<? super Message<byte[]>> emitter) {
        if (!takes) {
            waiting.decrementAndGet();
            notTaken(committed);
        } else if (held.isEmpty() && emitter.requested() > 0) {
            waiting.decrementAndGet();
            emit(topic, payload, committed, emitter);
        } else {
            held.add(new Event(topic, payload, committed));
        }
    }

    /** Emits the held events the pipeline now asks for; those the broker stopped waiting for are gone. */
    void emitHeld(MultiEmitter<? super Message<byte[]>> emitter) {
        while (!held.isEmpty() && emitter.requested() > 0) {
            Event event = held.poll();
            waiting.decrementAndGet();
            if (event.committed().isDone()) {
                // the broker's wait ran out: it has queued the event for connmon's session
                left.increment();
            } else {
                emit(event.topic(), event.payload(), event.committed(), emitter);
            }
        }
    }

    /** The connection is gone or closing: the broker's queue for connmon's session carries what is held. */
    void releaseHeld() {
        Event event;
        while ((event = held.poll()) != null) {
            waiting.decrementAndGet();
            notTaken(event.committed());
        }
    }

    private void emit(
            String topic,
            byte[] payload,
            CompletableFuture<Void> committed,
            MultiEmitter<? super Message<byte[]>> emitter) {
        taken.increment();
        // QoS 0: nothing to acknowledge to the broker; the ack is the commit the broker waits for
        Metadata metadata = Metadata.of(new LifecycleMessageMetadata(
                settings.name(), settings.dialect(), settings.clientId(), topic, 0, false, Instant.now()));
        emitter.emit(Message.of(payload, metadata, () -> {
            if (!committed.complete(null)) {
                // the broker stopped waiting and queued the event for connmon's session as well: that copy will
                // be stored a second time, which changes nothing (the log and the state are idempotent)
                late.increment();
            }
            return CompletableFuture.completedFuture(null);
        }));
    }

    private void notTaken(CompletableFuture<Void> committed) {
        left.increment();
        committed.completeExceptionally(InProcessLifecycle.NotTaken.INSTANCE);
    }
}
