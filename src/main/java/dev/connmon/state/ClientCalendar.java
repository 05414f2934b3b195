package dev.connmon.state;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * The fleet's planned absences as this instance knows them now: the current and future maintenance windows, and the
 * expected check-ins of sleepy clients (docs/api.md §10.6, §10.7). Installed by {@code dev.connmon.schedule}, read
 * where a state is made ({@link ClientStateRows}) and by the list filters that select on them in SQL. Static because
 * the state rows and the filter model are: both are plain functions of a row, not beans. Few windows and
 * expectations are expected (the API bounds the windows), so every test here is a walk over short lists.
 */
public final class ClientCalendar {
    /** A condition on client_state's own columns; its parameters are appended to {@code params}. */
    @FunctionalInterface
    public interface Condition {
        String sql(List<Object> params);
    }

    /** A maintenance window: the clients its filter names ({@code client} on an id, {@code where} in SQL). */
    public record Window(long id, Instant from, Instant until, Predicate<String> client, Condition where) {
        public boolean activeAt(Instant t) {
            return !from.isAfter(t) && until.isAfter(t);
        }
    }

    /** An expectation: its clients connect at least every {@code within} (its every plus grace). */
    public record Expectation(String name, Duration within, Predicate<String> client, Condition where) {}

    private static volatile List<Window> windows = List.of();
    private static volatile List<Expectation> expectations = List.of();

    private ClientCalendar() {}

    public static void windows(List<Window> current) {
        windows = List.copyOf(current);
    }

    public static void expectations(List<Expectation> configured) {
        expectations = List.copyOf(configured);
    }

    public static List<Expectation> expectations() {
        return expectations;
    }

    /** The windows in force at {@code now}. */
    public static List<Window> active(Instant now) {
        return windows.stream().filter(w -> w.activeAt(now)).toList();
    }

    public static boolean inMaintenance(String clientId, Instant now) {
        for (Window w : windows) {
            if (w.activeAt(now) && w.client().test(clientId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * How long after its last disconnect the client is asleep rather than down: the longest every + grace of the
     * expectations that name it (the most lenient wins); null when none does.
     */
    public static Duration sleep(String clientId) {
        Duration longest = null;
        for (Expectation e : expectations) {
            if (e.client().test(clientId) && (longest == null || e.within().compareTo(longest) > 0)) {
                longest = e.within();
            }
        }
        return longest;
    }

    /**
     * When a disconnected client is due back (its last disconnect plus {@link #sleep}); null when no expectation
     * names it, or it was never seen to disconnect (nothing to measure a sleep from).
     */
    public static Instant dueBy(String clientId, Instant lastDisconnect) {
        Duration sleep = lastDisconnect == null ? null : sleep(clientId);
        return sleep == null ? null : lastDisconnect.plus(sleep);
    }
}
