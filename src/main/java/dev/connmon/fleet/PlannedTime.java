package dev.connmon.fleet;

import dev.connmon.fleet.AvailabilityCalculator.Maintenance;
import dev.connmon.fleet.AvailabilityCalculator.Segment;
import dev.connmon.fleet.AvailabilityCalculator.Status;
import dev.connmon.lifecycle.Instants;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A client's planned absences laid over its stretches of time (docs/api.md §10.1): the sleep after each disconnect
 * that an expected check-in allows (docs/api.md §10.7), and the maintenance windows that name it (§10.6).
 */
final class PlannedTime {
    private PlannedTime() {}

    /** The first {@code sleep} after each disconnect is asleep; the rest of the outage is down, the check-in missed. */
    static List<Segment> asleep(List<Segment> segments, long sleep) {
        List<Segment> out = new ArrayList<>(segments.size() + 4);
        for (Segment s : segments) {
            if (s.status() != Status.DISCONNECTED || s.began() == Long.MIN_VALUE) {
                AvailabilityCalculator.append(out, s);
                continue;
            }
            long wake = s.began() > Long.MAX_VALUE - sleep ? Long.MAX_VALUE : s.began() + sleep;
            long split = Math.max(s.start(), Math.min(s.end(), wake));
            AvailabilityCalculator.append(out, new Segment(s.start(), split, Status.ASLEEP, s.cause(), s.began()));
            AvailabilityCalculator.append(
                    out,
                    new Segment(
                            split,
                            s.end(),
                            Status.DISCONNECTED,
                            "Overdue: missed its check-in due at " + Instants.format(Instant.ofEpochMilli(wake)),
                            s.began()));
        }
        return out;
    }

    /** The parts of the segments that a window covers become maintenance, with the window's reason as cause. */
    static List<Segment> maintenance(List<Segment> segments, List<Maintenance> windows) {
        List<Maintenance> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparing(Maintenance::from));
        List<Segment> out = new ArrayList<>(segments.size() + 2 * windows.size());
        for (Segment s : segments) {
            long cursor = s.start();
            for (Maintenance w : sorted) {
                long from = Math.max(cursor, w.from().toEpochMilli());
                long to = Math.min(s.end(), w.until().toEpochMilli());
                if (from >= to) {
                    continue;
                }
                AvailabilityCalculator.append(out, new Segment(cursor, from, s.status(), s.cause(), s.began()));
                AvailabilityCalculator.append(out, new Segment(from, to, Status.MAINTENANCE, cause(w), s.began()));
                cursor = to;
            }
            AvailabilityCalculator.append(out, new Segment(cursor, s.end(), s.status(), s.cause(), s.began()));
        }
        return out;
    }

    private static String cause(Maintenance w) {
        return w.reason() == null || w.reason().isEmpty() ? "Maintenance" : "Maintenance: " + w.reason();
    }
}
