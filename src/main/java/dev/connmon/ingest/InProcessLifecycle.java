package dev.connmon.ingest;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the embedded broker, running in connmon's own JVM, hands each lifecycle event to the ingest pipeline
 * directly instead of queueing it for connmon's MQTT session.
 * <p>
 * Why: the embedded broker (HiveMQ CE) writes every event for connmon's persistent session to its disk queue and
 * delivers that queue in rounds, polling the next round only once every message in flight is acknowledged, while
 * connmon acknowledges only after commit; an event arriving during a round waits for the whole round, and the
 * queue's disk work takes a large share of the two cores. In-process, an event is stored as soon as the pipeline
 * takes it, and the broker does no queue work for it.
 * <p>
 * The MQTT session stays the fallback that loses nothing: an event the pipeline does not take (too many
 * already waiting for its demand, no pipeline attached) or does not commit within {@link #COMMIT_WAIT_MS} is published
 * on the lifecycle topic as before, for connmon's session to keep. An event committed after that wait is stored twice,
 * which changes nothing: the log keeps one row per event and the state only moves forward. At most the
 * pipeline's demand (three batches) and what waits for it (MqttLifecycleSource's bound) can be taken and waiting at
 * once, so that is all a slow database can double. The wait is long enough for a storm's backlog: a device storm
 * (DeviceStormBenchmark, 12 000 devices) waited up to 2 s with its events held for demand, so 2 s sent 7 % of them
 * both ways and 5 s none.
 */
public final class InProcessLifecycle {
    /** How long an event taken in-process may wait for its commit before the broker also queues it. */
    public static final long COMMIT_WAIT_MS = 5_000;

    /** What takes the events of the embedded broker listening on a given port: connmon's source connected to it. */
    interface Receiver {
        /** Completes once the event is committed; fails at once when it is not taken. Never blocks. */
        CompletableFuture<Void> offer(String topic, byte[] payload);
    }

    private static final Map<Integer, Receiver> RECEIVERS = new ConcurrentHashMap<>();

    private InProcessLifecycle() {}

    /**
     * Called on a broker thread for every lifecycle event the broker on {@code brokerPort} publishes: completes once
     * connmon has committed it, fails when connmon did not take it. Never blocks.
     */
    public static CompletableFuture<Void> offer(int brokerPort, String topic, byte[] payload) {
        Receiver receiver = RECEIVERS.get(brokerPort);
        return receiver == null ? CompletableFuture.failedFuture(NotTaken.INSTANCE) : receiver.offer(topic, payload);
    }

    static void attach(int brokerPort, Receiver receiver) {
        RECEIVERS.put(brokerPort, receiver);
    }

    static void detach(int brokerPort, Receiver receiver) {
        RECEIVERS.remove(brokerPort, receiver);
    }

    /** The pipeline did not take an event; the broker's MQTT session carries it instead. */
    static final class NotTaken extends RuntimeException {
        static final NotTaken INSTANCE = new NotTaken();

        private NotTaken() {
            super("not taken in-process", null, false, false);
        }
    }
}
