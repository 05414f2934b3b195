package dev.connmon.alerts;

import dev.connmon.schedule.Expectations;
import dev.connmon.state.ClientCalendar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The passes ({@link CandidateScan}) of every rule in a term, and where each last ended. A rule has its own pass
 * (offline, silent, flapping) and, for offline and overdue, one per expectation: a sleepy client's condition begins
 * when it misses its check-in, a time that no index holds but that each expectation moves by a fixed length from
 * the last disconnect, which one does.
 */
final class CandidateScans {
    private final List<Expectations.Expectation> expectations;
    private final Map<String, Instant> watermarks = new HashMap<>();
    private final Map<String, CandidateScan> scans = new HashMap<>();
    private Set<Long> windows = Set.of();

    CandidateScans(List<Expectations.Expectation> expectations) {
        this.expectations = expectations;
    }

    /** A new term: every pass reads all its candidates once, to catch up on what happened without a leader. */
    void clear() {
        watermarks.clear();
        scans.clear();
        windows = Set.of();
    }

    /**
     * When a maintenance window has ended since the last evaluation, every pass starts over: a condition that
     * began in the window, and so opened no alert, is looked at again now that the client is watched once more.
     */
    void windowsAt(Instant now) {
        Set<Long> active = ClientCalendar.active(now).stream()
                .map(ClientCalendar.Window::id)
                .collect(Collectors.toUnmodifiableSet());
        if (!active.containsAll(windows)) {
            watermarks.clear();
            scans.clear();
        }
        windows = active;
    }

    /** The rule's passes in progress, each started where the previous one ended. */
    List<Map.Entry<String, CandidateScan>> of(AlertRule rule, Instant now) {
        List<Map.Entry<String, CandidateScan>> passes = new ArrayList<>();
        if (rule.condition() != Condition.OVERDUE) {
            passes.add(Map.entry(
                    rule.name(),
                    scans.computeIfAbsent(rule.name(), key -> CandidateScan.of(rule, now, watermarks.get(key)))));
        }
        if (rule.condition() == Condition.OFFLINE || rule.condition() == Condition.OVERDUE) {
            for (Expectations.Expectation e : expectations) {
                String key = rule.name() + "\u0000" + e.name();
                CandidateScan scan =
                        scans.computeIfAbsent(key, k -> CandidateScan.overdue(rule, e, now, watermarks.get(k)));
                if (scan != null) {
                    passes.add(Map.entry(key, scan));
                } else {
                    scans.remove(key);
                }
            }
        }
        return passes;
    }

    /** The pass has read its last page: the next one starts at its cutoff. */
    void done(String key, CandidateScan scan) {
        scans.remove(key);
        watermarks.put(key, scan.cutoff());
    }
}
