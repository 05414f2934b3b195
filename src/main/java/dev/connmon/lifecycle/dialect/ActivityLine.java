package dev.connmon.lifecycle.dialect;

import dev.connmon.lifecycle.ClientIds;
import java.util.function.Predicate;

/**
 * Mosquitto's subscribe and unsubscribe log lines, {@code <id> <qos> <filter>} and {@code <id> <filter>}. Both the
 * id and the filter may hold spaces (and {@code " 1 "}), and nothing marks where one ends: {@code a b c} is client
 * {@code a} with filter {@code b c} or client {@code a b} with filter {@code c}. Such a line is given to a client only
 * when one reading is beyond doubt:
 * <ul>
 * <li>the line reads one way only; or</li>
 * <li>its longest reading is a client connected through this source, and no other reading is. A shorter one never
 * wins: the line may be a longer id's (a client connected before connmon was listening), and must not become a
 * connected client's activity.</li>
 * </ul>
 */
final class ActivityLine {
    /** A split of the line: the client id as written and the topic filter. */
    record Reading(String clientId, String filter) {}

    /** The line reads more than one way and none is beyond doubt. */
    static final Reading AMBIGUOUS = new Reading(null, null);

    private ActivityLine() {}

    /**
     * The reading of the line, {@link #AMBIGUOUS}, or null when it has no reading at all.
     *
     * @param withQos a subscribe line: id and filter are separated by {@code " <qos> "}, else by one space
     * @param connected whether an id is a client connected through the line's source
     */
    static Reading read(String line, boolean withQos, Predicate<String> connected) {
        int separator = withQos ? 3 : 1;
        int longest = lastSplit(line, line.length() - separator - 1, withQos);
        if (longest < 0) {
            return null;
        }
        String clientId = line.substring(0, longest);
        int shorter = lastSplit(line, longest - 1, withQos);
        if (shorter > 0) {
            if (ClientIds.problem(clientId).isPresent() || !connected.test(clientId)) {
                return AMBIGUOUS;
            }
            // an id longer than ClientIds allows was never stored as connected: only shorter splits need a look
            for (int at = Math.min(shorter, ClientIds.MAX_UTF8_BYTES); at > 0; at = lastSplit(line, at - 1, withQos)) {
                if (splitsAt(line, at, withQos) && connected.test(line.substring(0, at))) {
                    return AMBIGUOUS;
                }
            }
        }
        return new Reading(clientId, line.substring(longest + separator));
    }

    /** The last index at or before {@code from} where the line splits into an id and a filter; -1 if none. */
    private static int lastSplit(String line, int from, boolean withQos) {
        for (int at = from; at > 0; at--) {
            if (splitsAt(line, at, withQos)) {
                return at;
            }
        }
        return -1;
    }

    private static boolean splitsAt(String line, int at, boolean withQos) {
        if (line.charAt(at) != ' ') {
            return false;
        }
        if (!withQos) {
            return true;
        }
        char qos = line.charAt(at + 1);
        return qos >= '0' && qos <= '2' && line.charAt(at + 2) == ' ';
    }
}
