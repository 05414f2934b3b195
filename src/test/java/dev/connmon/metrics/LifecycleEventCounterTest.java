package dev.connmon.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** connmon_lifecycle_events_total: the labels of stored events, bounded whatever codes the brokers send. */
class LifecycleEventCounterTest {
    private static final Instant T = Instant.parse("2026-12-01T06:00:00Z");

    private static LifecycleEvent event(EventType type, Initiator initiator, Integer code) {
        return LifecycleEvent.builder(type, "d:acme:pump:1", T)
                .initiator(initiator)
                .reasonCode(code)
                .build();
    }

    @Test
    void labelsNameTheEventItsInitiatorAndAKnownReasonCode() {
        assertThat(LifecycleEventCounter.labels(event(EventType.DISCONNECTED, Initiator.SERVER, 0x8D)))
                .isEqualTo(Tags.of("event", "disconnected", "initiator", "server", "reason_code", "141"));
        assertThat(LifecycleEventCounter.labels(event(EventType.CONNECTED, null, null)))
                .isEqualTo(Tags.of("event", "connected", "initiator", "none", "reason_code", "none"));
        assertThat(LifecycleEventCounter.labels(event(EventType.CONNECT_FAILED, null, 0x86)))
                .isEqualTo(Tags.of("event", "connect_failed", "initiator", "none", "reason_code", "134"));
    }

    @Test
    void aCodeThatMqttDoesNotDefineForTheEventIsOther() {
        assertThat(LifecycleEventCounter.reasonCode(EventType.DISCONNECTED, 0x7F))
                .isEqualTo("other");
        assertThat(LifecycleEventCounter.reasonCode(EventType.DISCONNECTED, -5)).isEqualTo("other");
        // 0x04 is a DISCONNECT code (with will), not a CONNACK one
        assertThat(LifecycleEventCounter.reasonCode(EventType.DISCONNECTED, 0x04))
                .isEqualTo("4");
        assertThat(LifecycleEventCounter.reasonCode(EventType.CONNECT_FAILED, 0x04))
                .isEqualTo("other");
    }

    @Test
    void onlyLoggedEventsCountAndTheSeriesStayBoundedUnderAnyCodes() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LifecycleEventCounter counter = new LifecycleEventCounter(registry);
        Random random = new Random(42);
        List<LifecycleEvent> events = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            EventType type = EventType.values()[random.nextInt(EventType.values().length)];
            Initiator initiator = random.nextBoolean() ? null : Initiator.values()[random.nextInt(3)];
            events.add(event(type, initiator, random.nextInt(10) == 0 ? null : random.nextInt()));
        }
        counter.count(events);

        List<Counter> series =
                List.copyOf(registry.find("connmon.lifecycle.events").counters());
        double total = series.stream().mapToDouble(Counter::count).sum();
        long logged = events.stream().filter(e -> e.type().isLogged()).count();
        assertThat(total).isEqualTo(logged);
        // 3 events x 4 initiators x (defined codes + none + other): random ints hit almost only "other"
        assertThat(series).hasSizeLessThanOrEqualTo(3 * 4 * 3 + 3 * 4 * 60);
        assertThat(series)
                .allSatisfy(c -> assertThat(c.getId().getTag("reason_code")).matches("none|other|[0-9]{1,3}"));
        assertThat(series.stream().map(c -> c.getId().getTag("event")).distinct())
                .containsExactlyInAnyOrder("connected", "disconnected", "connect_failed");
    }
}
