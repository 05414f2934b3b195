package dev.connmon.lifecycle.dialect;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The connections a Mosquitto log has opened and not yet ended, per source: client id → connection id. It names the
 * connection an end line ends, and says which of an activity line's readings is a connected client.
 *
 * <p>Bounded per source: a flood of connects on one broker costs a bounded heap (an entry is about 200 bytes) and
 * leaves the other sources alone. Past the bound the source's map starts over; nothing is then attributed wrongly,
 * only less is known: end lines name no connection, and activity lines that read two ways are counted, not stored.
 */
final class OpenConnections {
    static final int MAX_PER_SOURCE = 1_000_000;

    private final Map<String, Map<String, String>> bySource = new ConcurrentHashMap<>();

    void opened(String source, String clientId, String connectionId) {
        Map<String, String> open = bySource.computeIfAbsent(source, s -> new ConcurrentHashMap<>());
        if (open.size() >= MAX_PER_SOURCE) {
            open.clear();
        }
        open.put(clientId, connectionId);
    }

    /** The connection the client had open, now ended; null when none is known. */
    String ended(String source, String clientId) {
        Map<String, String> open = bySource.get(source);
        return open == null ? null : open.remove(clientId);
    }

    boolean isOpen(String source, String clientId) {
        Map<String, String> open = bySource.get(source);
        return open != null && open.containsKey(clientId);
    }

    /** The broker behind the source stopped: every connection it had is gone. */
    void brokerStopped(String source) {
        bySource.remove(source);
    }
}
