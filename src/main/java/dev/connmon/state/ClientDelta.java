package dev.connmon.state;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import java.util.Comparator;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The newest connect, disconnect and activity of one client within a batch. Folding keeps, per group, the
 * maximum under the same total order the upsert in {@link StateRepository} uses, so folding in Java first and
 * merging in SQL after gives the state that applying every event one by one would.
 */
final class ClientDelta {
    /**
     * PostgreSQL's "C" collation: UTF-8 byte order, which is code point order. {@link String#compareTo} is UTF-16
     * order, which differs for characters past U+FFFF against U+E000..U+FFFF.
     */
    static final Comparator<String> C_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    };
    /** Time, connection id, then every other connect column: a total order (see StateRepository.NEWER_CONNECT). */
    static final Comparator<LifecycleEvent> CONNECT_ORDER = Comparator.comparing(LifecycleEvent::time)
            .thenComparing(e -> Objects.requireNonNullElse(e.connectionId(), ""), C_ORDER)
            .thenComparing(LifecycleEvent::ipAddress, Comparator.nullsFirst(C_ORDER))
            .thenComparing(LifecycleEvent::port, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(LifecycleEvent::username, Comparator.nullsFirst(C_ORDER))
            .thenComparing(LifecycleEvent::protocolVersion, Comparator.nullsFirst(C_ORDER))
            .thenComparing(LifecycleEvent::node, Comparator.nullsFirst(C_ORDER))
            .thenComparing(LifecycleEvent::keepAlive, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(LifecycleEvent::cleanStart, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(LifecycleEvent::source, Comparator.nullsFirst(C_ORDER));

    static final Comparator<LifecycleEvent> DISCONNECT_ORDER = Comparator.comparing(LifecycleEvent::time)
            .thenComparing(e -> Objects.requireNonNullElse(e.connectionId(), ""), C_ORDER)
            .thenComparing(e -> e.initiator() == null ? "" : e.initiator().wireName())
            .thenComparingInt(e -> Objects.requireNonNullElse(e.reasonCode(), -1))
            .thenComparing(e -> Objects.requireNonNullElse(e.reason(), ""), C_ORDER);
    static final Comparator<LifecycleEvent> ACTIVITY_ORDER = Comparator.comparing(LifecycleEvent::time)
            .thenComparingInt(e -> e.type().activityRank());

    final String clientId;
    LifecycleEvent connect;
    LifecycleEvent disconnect;
    LifecycleEvent activity;
    final Set<String> closingConnectionIds = new TreeSet<>();

    ClientDelta(String clientId) {
        this.clientId = clientId;
    }

    /** Whether the event changes state at all; failed connection attempts only go to the log. */
    static boolean affectsState(LifecycleEvent event) {
        return event.type() != EventType.CONNECT_FAILED && event.type() != EventType.BROKER_STOPPED;
    }

    void add(LifecycleEvent event) {
        switch (event.type()) {
            case CONNECTED -> connect = max(connect, event, CONNECT_ORDER);
            case DISCONNECTED -> {
                disconnect = max(disconnect, event, DISCONNECT_ORDER);
                if (event.connectionId() != null) {
                    closingConnectionIds.add(event.connectionId());
                }
            }
            default -> {}
        }
        if (event.type().isActivity()) {
            activity = max(activity, event, ACTIVITY_ORDER);
        }
    }

    boolean connectClosed() {
        return connect != null
                && connect.connectionId() != null
                && closingConnectionIds.contains(connect.connectionId());
    }

    private static LifecycleEvent max(
            LifecycleEvent current, LifecycleEvent candidate, Comparator<LifecycleEvent> order) {
        return current == null || order.compare(candidate, current) > 0 ? candidate : current;
    }
}
