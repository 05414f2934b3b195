package dev.connmon.live;

import dev.connmon.config.ConnmonConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Caps the live streams (SSE) one API key holds open at once, so that one leaking or hostile client cannot take every
 * connection and buffer of an instance. Counted per instance: behind a load balancer the fleet-wide cap is this times
 * the instances.
 */
@ApplicationScoped
public class StreamPermits {
    private final int perKey;
    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();

    StreamPermits(ConnmonConfig config) {
        this.perKey = config.live().maxStreamsPerKey();
    }

    /** A permit for one more stream of {@code key}, or null when the key already holds {@link #perKey()}. */
    public Permit acquire(String key) {
        boolean[] granted = {false};
        open.compute(key, (k, n) -> {
            int held = n == null ? 0 : n;
            granted[0] = held < perKey;
            return granted[0] ? held + 1 : n;
        });
        return granted[0] ? new Permit(key) : null;
    }

    public int perKey() {
        return perKey;
    }

    /** One open stream; releasing it twice counts once (a stream can both fail and be cancelled). */
    public final class Permit {
        private final String key;
        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(String key) {
            this.key = key;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
            }
        }
    }
}
