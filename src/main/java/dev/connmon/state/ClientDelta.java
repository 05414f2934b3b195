package dev.connmon.state;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import java.util.Comparator;
import java.util.Set;
import java.util.TreeSet;

/**
 * The newest connect, disconnect and activity of one client within a batch. Folding keeps, per group, the
 * maximum under the order {@link Newest} defines, the one the upsert in {@link BatchStatement} uses, so folding in
 * Java first and merging in SQL after gives the state that applying every event one by one would.
 */
final class ClientDelta {
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
            case CONNECTED -> connect = max(connect, event, Newest.CONNECT.order());
            case DISCONNECTED -> {
                disconnect = max(disconnect, event, Newest.DISCONNECT.order());
                if (event.connectionId() != null) {
                    closingConnectionIds.add(event.connectionId());
                }
            }
            default -> {}
        }
        if (event.type().isActivity()) {
            activity = max(activity, event, Newest.ACTIVITY.order());
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
