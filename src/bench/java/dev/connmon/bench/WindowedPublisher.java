package dev.connmon.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * QoS 1 publishes through one HiveMQ client connection, keeping at most {@code window} events published and not yet
 * done (stored by connmon, delivered to a subscriber: whatever {@code done} counts), so that a run measures the
 * consumer, not a backlog in the broker. {@code window} 0: no limit (a burst).
 */
final class WindowedPublisher {
    private final Mqtt5AsyncClient client;
    private final int window;
    private final LongSupplier done;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private volatile long published;
    private long waitNanos;

    WindowedPublisher(Mqtt5AsyncClient client, int window, LongSupplier done) {
        this.client = client;
        this.window = window;
        this.done = done;
    }

    /** Paced by the broker's acknowledgements: at most {@code window} publishes unacknowledged. */
    static WindowedPublisher pacedByAcks(Mqtt5AsyncClient client, int window) {
        WindowedPublisher[] self = new WindowedPublisher[1];
        self[0] = new WindowedPublisher(client, window, () -> self[0].acked() + self[0].failures());
        return self[0];
    }

    void publish(String topic, byte[] payload) {
        if (window > 0 && published - done.getAsLong() >= window) {
            long waitStart = System.nanoTime();
            while (published - done.getAsLong() >= window) {
                LockSupport.parkNanos(200_000);
            }
            waitNanos += System.nanoTime() - waitStart;
        }
        client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload)
                .send()
                .whenComplete((result, error) -> {
                    if (error != null || result.getError().isPresent()) {
                        failed.incrementAndGet();
                    } else {
                        acked.incrementAndGet();
                    }
                });
        published++;
    }

    long published() {
        return published;
    }

    /** Publishes the broker refused or that failed. */
    long failures() {
        return failed.get();
    }

    /** Publishes the broker has acknowledged. */
    long acked() {
        return acked.get();
    }

    /** How long the publisher waited for its window: near 0 means the publisher (or broker intake) set the pace. */
    double waitSeconds() {
        return waitNanos / 1e9;
    }
}
