package dev.connmon.metrics;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.ReasonCodes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code connmon_lifecycle_events_total{event,initiator,reason_code}}: the connects, failed connects and disconnects
 * this instance stored. Every label has a fixed set of values whatever the brokers send: {@code event} the three
 * logged event types, {@code initiator} {@code client}, {@code server}, {@code network} or {@code none}, and
 * {@code reason_code} a code MQTT 5 defines for that event (decimal, as the API's {@code reasonCode}), {@code none}
 * without one, {@code other} for any other number.
 */
@ApplicationScoped
public class LifecycleEventCounter {
    static final String NAME = "connmon.lifecycle.events";
    static final String NONE = "none";
    static final String OTHER = "other";

    private final MeterRegistry registry;
    private final Map<Tags, Counter> counters = new ConcurrentHashMap<>();

    LifecycleEventCounter(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counts the logged events among these, once their batch is committed. */
    public void count(List<LifecycleEvent> events) {
        for (LifecycleEvent event : events) {
            if (event.type().isLogged()) {
                counters.computeIfAbsent(labels(event), this::counter).increment();
            }
        }
    }

    static Tags labels(LifecycleEvent event) {
        Initiator initiator = event.initiator();
        return Tags.of(
                "event",
                event.type().wireName(),
                "initiator",
                initiator == null ? NONE : initiator.wireName(),
                "reason_code",
                reasonCode(event.type(), event.reasonCode()));
    }

    static String reasonCode(EventType type, Integer code) {
        if (code == null) {
            return NONE;
        }
        String name =
                type == EventType.DISCONNECTED ? ReasonCodes.disconnectReason(code) : ReasonCodes.connackReason(code);
        return name == null ? OTHER : Integer.toString(code);
    }

    private Counter counter(Tags tags) {
        return Counter.builder(NAME)
                .tags(tags)
                .description("Connects, failed connects and disconnects stored by this instance")
                .register(registry);
    }
}
