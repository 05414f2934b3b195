package dev.connmon.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Activity coalesced on the trailing edge (docs/api.md §9): a client's first act opens a window of
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
    private final Consumer<ObjectNode> sink;
    private final Map<String, Held> open = new ConcurrentHashMap<>();
    /**
     * Window ends, on a thread of their own: HiveMQ's managed extension executor waits at shutdown for every task
     * scheduled on it (up to 180 s), and a window's end need not outlive the broker, which sends what is held.
     */
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "connmon-activity-windows");
        thread.setDaemon(true);
        return thread;
    });

    ActivityWindows(Duration window, Consumer<ObjectNode> sink) {
        this.windowMs = window.toMillis();
        this.sink = sink;
    }

    void offer(String clientId, ObjectNode event) {
        if (windowMs <= 0 || scheduler.isShutdown()) {
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
            try {
                scheduler.schedule(() -> close(clientId, window), windowMs, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                flush(clientId);
            }
        }
    }

    /** Sends the client's held act now (before its disconnect, so that the two keep their order). */
    void flush(String clientId) {
        Held held = open.remove(clientId);
        if (held != null) {
            sink.accept(held.latest);
        }
    }

    /** The broker is stopping: sends every held act, and from now on every act at once. */
    void stop() {
        scheduler.shutdownNow();
        open.keySet().forEach(this::flush);
    }

    private void close(String clientId, Held window) {
        // only this window: after a flush the client may have opened a new one, which keeps its own end
        if (open.remove(clientId, window)) {
            sink.accept(window.latest);
        }
    }
}
