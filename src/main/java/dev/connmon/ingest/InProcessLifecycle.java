package dev.connmon.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the embedded broker, running in connmon's own JVM, hands each lifecycle event to the ingest pipeline
 * directly, ahead of the event's MQTT copy.
 * <p>
 * Why: the embedded broker (HiveMQ CE) delivers a persistent session's queue in rounds, polling its disk queue for
 * the next round only once every message in flight is acknowledged, and connmon acknowledges only after commit; an
 * event that arrives during a round waits for the whole round, its disk write and read. The in-process copy skips
 * all of that, so live updates do not wait for the broker's queue. The MQTT copy stays the durable one: it is
 * published as before, and when it arrives after its in-process twin was committed, connmon acknowledges it
 * without storing it again (see {@link MqttLifecycleSource}). An in-process copy that cannot be taken at once
 * (no demand, too many waiting) is simply not taken: its MQTT copy carries it.
 */
public final class InProcessLifecycle {
    /** What takes the events of the embedded broker listening on a given port: connmon's source connected to it. */
    interface Receiver {
        void offer(String topic, byte[] payload);
    }

    private static final Map<Integer, Receiver> RECEIVERS = new ConcurrentHashMap<>();

    private InProcessLifecycle() {
    }

    /** Called on a broker thread for every lifecycle event the broker on {@code brokerPort} publishes; never blocks. */
    public static void offer(int brokerPort, String topic, byte[] payload) {
        Receiver receiver = RECEIVERS.get(brokerPort);
        if (receiver != null) {
            receiver.offer(topic, payload);
        }
    }

    static void attach(int brokerPort, Receiver receiver) {
        RECEIVERS.put(brokerPort, receiver);
    }

    static void detach(int brokerPort, Receiver receiver) {
        RECEIVERS.remove(brokerPort, receiver);
    }
}
