package dev.connmon.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Activity coalesced on the trailing edge (CONTRACT §9): a client's first act opens a window of
 * {@code connmon.activity.window}; every act in it replaces the one held, and when the window ends the held act — the
 * client's latest — goes out. A chatty device costs one event per window, and the act stored is always its last,
 * at most one window late. A disconnect, or the broker stopping, sends what is held at once.
 */
final class ActivityWindows {
    /** The act a client's open window holds; replaced under the map's lock for that client. */
    private static final class Held {
        ObjectNode latest;
    }

    private final long windowMs;
    private final Supplier<ScheduledExecutorService> scheduler;
    private final Consumer<ObjectNode> sink;
    private final Map<String, Held> open = new ConcurrentHashMap<>();

    ActivityWindows(Duration window, Supplier<ScheduledExecutorService> scheduler, Consumer<ObjectNode> sink) {
        this.windowMs = window.toMillis();
        this.scheduler = scheduler;
        this.sink = sink;
    }

    void offer(String clientId, ObjectNode event) {
        if (windowMs <= 0) {
            sink.accept(event);
            return;
        }
        Held[] opened = new Held[1];
        open.compute(clientId, (id, held) -> {
            if (held == null) {
                held = new Held();
                opened[0] = held;
            }
            held.latest = event;
            return held;
        });
        if (opened[0] != null) {
            Held window = opened[0];
            scheduler.get().schedule(() -> close(clientId, window), windowMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Sends the client's held act now (before its disconnect, so that the two keep their order). */
    void flush(String clientId) {
        Held held = open.remove(clientId);
        if (held != null) {
            sink.accept(held.latest);
        }
    }

    /** Sends every held act (the broker is stopping). */
    void flushAll() {
        open.keySet().forEach(this::flush);
    }

    private void close(String clientId, Held window) {
        // only this window: after a flush the client may have opened a new one, which keeps its own end
        if (open.remove(clientId, window)) {
            sink.accept(window.latest);
        }
    }
}
