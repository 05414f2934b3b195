package dev.connmon.fleet;

import dev.connmon.lifecycle.Instants;
import dev.connmon.state.Newest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Cuts a window into connected, disconnected and unknown time from a client's logged connects and disconnects
 * (docs/api.md §10.1). The events are sorted here under a total order, so the same set of events gives the same answer
 * in whatever order they arrived; the log already holds each event once (its dedup key).
 * <p>
 * A connect starts connected time; a disconnect ends it, unless it names another connection than the open one (a
 * late disconnect of a connection that was taken over, as the state's rule: docs/api.md §1 {@code connectionId}).
 */
final class AvailabilityCalculator {
    /** A logged connect, failed connect or disconnect: what the computation reads of a log row. */
    record LogEvent(Instant time, String event, String initiator, String connectionId, String message) {
        LogEvent(Instant time, String event, String initiator, String connectionId) {
            this(time, event, initiator, connectionId, null);
        }
    }

    /** A maintenance window's stretch of the client's time, and its reason. */
    record Maintenance(Instant from, Instant until, String reason) {}

    /** The cause of unknown time from the client's {@code unconfirmedSince} on. */
    static final String UNCONFIRMED = "Unconfirmed: connmon may have missed this client's events from here";

    enum Status {
        UNKNOWN,
        CONNECTED,
        DISCONNECTED,
        /** Disconnected within its expected check-in (docs/api.md §10.7): counted as up. */
        ASLEEP,
        /** In a maintenance window (docs/api.md §10.6): neither up nor down. */
        MAINTENANCE
    }

    /** Time, then connects before failed attempts before disconnects (a disconnect of the same millisecond ends). */
    static final Comparator<LogEvent> ORDER = Comparator.comparing(LogEvent::time)
            .thenComparingInt(AvailabilityCalculator::rank)
            .thenComparing(e -> Objects.requireNonNullElse(e.connectionId(), ""), Newest.C_ORDER)
            .thenComparing(e -> Objects.requireNonNullElse(e.initiator(), ""));

    /**
     * {@code cause}: the log message of the event that began it, or why it is unknown; null for no record.
     * {@code began}: the time of that event ({@link Long#MIN_VALUE} for none), from which a sleep is measured.
     */
    record Segment(long start, long end, Status status, String cause, long began) {
        Segment(long start, long end, Status status, String cause) {
            this(start, end, status, cause, Long.MIN_VALUE);
        }
    }

    private AvailabilityCalculator() {}

    private static int rank(LogEvent e) {
        return switch (e.event()) {
            case "connected" -> 0;
            case "connect_failed" -> 1;
            default -> 2;
        };
    }

    /**
     * @param before   connects and disconnects before {@code since}, any order (the newest few suffice)
     * @param window   the log rows with {@code since <= time < until}, any order
     * @param unconfirmedSince the client's current {@code unconfirmedSince} (null if confirmed): unknown from then
     * @param step     bucket length, or null for none
     * @param withSegments whether to add the window's stretches in each status
     * @param sleep    how long after each disconnect the client is asleep, counted as up (null: never)
     * @param maintenance its stretches in maintenance windows: neither up nor down, whatever else they were
     */
    static Availability compute(
            String clientId,
            Instant since,
            Instant until,
            List<LogEvent> before,
            List<LogEvent> window,
            Instant unconfirmedSince,
            Duration step,
            boolean withSegments,
            Duration sleep,
            List<Maintenance> maintenance) {
        Fold fold = new Fold();
        before.stream().sorted(ORDER).forEach(fold::apply);
        List<LogEvent> events = new ArrayList<>(window);
        events.sort(ORDER);
        long start = since.toEpochMilli();
        long end = until.toEpochMilli();
        long unknownFrom = unconfirmedSince == null ? Long.MAX_VALUE : Math.max(start, unconfirmedSince.toEpochMilli());

        List<Segment> segments = new ArrayList<>();
        long cursor = start;
        long connects = 0;
        long failed = 0;
        Map<String, Long> byInitiator = new TreeMap<>(Map.of("client", 0L, "server", 0L, "network", 0L));
        for (LogEvent e : events) {
            long t = e.time().toEpochMilli();
            add(segments, cursor, t, fold.status, fold.cause, fold.began, unknownFrom);
            cursor = t;
            switch (e.event()) {
                case "connected" -> connects++;
                case "connect_failed" -> failed++;
                default -> byInitiator.merge(Objects.requireNonNullElse(e.initiator(), "unknown"), 1L, Long::sum);
            }
            fold.apply(e);
        }
        add(segments, cursor, end, fold.status, fold.cause, fold.began, unknownFrom);
        if (sleep != null) {
            segments = PlannedTime.asleep(segments, sleep.toMillis());
        }
        if (!maintenance.isEmpty()) {
            segments = PlannedTime.maintenance(segments, maintenance);
        }

        long[] totals = totals(segments, start, end);
        long disconnects =
                byInitiator.values().stream().mapToLong(Long::longValue).sum();
        List<Availability.Bucket> buckets =
                step == null ? null : buckets(segments, events, start, end, step.toMillis());
        return new Availability(
                clientId,
                Instants.format(since),
                Instants.format(until),
                ratio(totals),
                seconds(totals[0]),
                seconds(totals[1]),
                seconds(totals[2]),
                seconds(totals[3]),
                seconds(totals[4]),
                connects,
                disconnects,
                failed,
                byInitiator,
                longestOutage(segments),
                buckets,
                withSegments ? segments(segments) : null);
    }

    private static List<Availability.Segment> segments(List<Segment> segments) {
        List<Availability.Segment> out = new ArrayList<>(segments.size());
        for (Segment s : segments) {
            out.add(new Availability.Segment(
                    format(s.start()),
                    format(s.end()),
                    s.status().name().toLowerCase(Locale.ROOT),
                    seconds(s.end() - s.start()),
                    s.cause()));
        }
        return out;
    }

    /** The state before the window and through it: connected while a connection is open, as in docs/api.md §1. */
    private static final class Fold {
        Status status = Status.UNKNOWN;
        String connection;
        String cause;
        long began = Long.MIN_VALUE;

        void apply(LogEvent e) {
            if (e.event().equals("connected")) {
                status = Status.CONNECTED;
                connection = e.connectionId();
                cause = e.message();
                began = e.time().toEpochMilli();
            } else if (e.event().equals("disconnected")) {
                boolean otherConnection = status == Status.CONNECTED
                        && connection != null
                        && e.connectionId() != null
                        && !connection.equals(e.connectionId());
                if (!otherConnection) {
                    if (status != Status.DISCONNECTED) {
                        cause = e.message();
                        began = e.time().toEpochMilli();
                    }
                    status = Status.DISCONNECTED;
                    connection = null;
                }
            }
        }
    }

    /** Adds [from, to) in {@code status}, the part from {@code unknownFrom} on as unknown; merges equal neighbours. */
    private static void add(
            List<Segment> segments, long from, long to, Status status, String cause, long began, long unknownFrom) {
        if (to <= from) {
            return;
        }
        if (unknownFrom < to) {
            add(segments, from, Math.max(from, unknownFrom), status, cause, began, Long.MAX_VALUE);
            add(segments, Math.max(from, unknownFrom), to, Status.UNKNOWN, UNCONFIRMED, Long.MIN_VALUE, Long.MAX_VALUE);
            return;
        }
        append(segments, new Segment(from, to, status, cause, began));
    }

    /** Appends a segment, merged into the last one when it continues it in the same status. */
    static void append(List<Segment> segments, Segment s) {
        if (s.end() <= s.start()) {
            return;
        }
        if (!segments.isEmpty()) {
            Segment last = segments.get(segments.size() - 1);
            if (last.status() == s.status() && last.end() == s.start()) {
                segments.set(
                        segments.size() - 1,
                        new Segment(last.start(), s.end(), s.status(), last.cause(), last.began()));
                return;
            }
        }
        segments.add(s);
    }

    /** Connected, disconnected, unknown, asleep and maintenance milliseconds of the segments within [from, to). */
    private static long[] totals(List<Segment> segments, long from, long to) {
        long[] totals = new long[5];
        for (Segment s : segments) {
            long length = Math.min(s.end(), to) - Math.max(s.start(), from);
            if (length > 0) {
                totals[
                        switch (s.status()) {
                            case CONNECTED -> 0;
                            case DISCONNECTED -> 1;
                            case UNKNOWN -> 2;
                            case ASLEEP -> 3;
                            case MAINTENANCE -> 4;
                        }] += length;
            }
        }
        return totals;
    }

    private static List<Availability.Bucket> buckets(
            List<Segment> segments, List<LogEvent> events, long start, long end, long step) {
        List<Availability.Bucket> buckets = new ArrayList<>();
        for (long from = start; from < end; from += step) {
            long to = Math.min(end, from + step);
            long[] totals = totals(segments, from, to);
            long bucketFrom = from;
            long disconnects = events.stream()
                    .filter(e -> e.event().equals("disconnected"))
                    .mapToLong(e -> e.time().toEpochMilli())
                    .filter(t -> t >= bucketFrom && t < to)
                    .count();
            buckets.add(new Availability.Bucket(
                    format(from),
                    format(to),
                    ratio(totals),
                    seconds(totals[0]),
                    seconds(totals[1]),
                    seconds(totals[2]),
                    seconds(totals[3]),
                    seconds(totals[4]),
                    disconnects));
        }
        return buckets;
    }

    private static Availability.Outage longestOutage(List<Segment> segments) {
        Segment longest = null;
        for (Segment s : segments) {
            if (s.status() == Status.DISCONNECTED
                    && (longest == null || s.end() - s.start() > longest.end() - longest.start())) {
                longest = s;
            }
        }
        return longest == null
                ? null
                : new Availability.Outage(
                        format(longest.start()), format(longest.end()), seconds(longest.end() - longest.start()));
    }

    /** Up (connected or asleep) over up and down; maintenance and unknown time count for neither. */
    private static Double ratio(long[] totals) {
        long up = totals[0] + totals[3];
        long down = totals[1];
        return up + down == 0 ? null : (double) up / (up + down);
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    private static String format(long millis) {
        return Instants.format(Instant.ofEpochMilli(millis));
    }
}
