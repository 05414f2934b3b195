package dev.connmon.fleet;

import dev.connmon.lifecycle.Instants;
import dev.connmon.state.Newest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
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

    /** The cause of unknown time from the client's {@code unconfirmedSince} on. */
    static final String UNCONFIRMED = "Unconfirmed: connmon may have missed this client's events from here";

    enum Status {
        UNKNOWN,
        CONNECTED,
        DISCONNECTED
    }

    /** Time, then connects before failed attempts before disconnects (a disconnect of the same millisecond ends). */
    static final Comparator<LogEvent> ORDER = Comparator.comparing(LogEvent::time)
            .thenComparingInt(AvailabilityCalculator::rank)
            .thenComparing(e -> Objects.requireNonNullElse(e.connectionId(), ""), Newest.C_ORDER)
            .thenComparing(e -> Objects.requireNonNullElse(e.initiator(), ""));

    /** {@code cause}: the log message of the event that began it, or why it is unknown; null for no record. */
    private record Segment(long start, long end, Status status, String cause) {}

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
     */
    static Availability compute(
            String clientId,
            Instant since,
            Instant until,
            List<LogEvent> before,
            List<LogEvent> window,
            Instant unconfirmedSince,
            Duration step) {
        return compute(clientId, since, until, before, window, unconfirmedSince, step, false);
    }

    /** As above; with {@code withSegments}, the window's connected, disconnected and unknown stretches too. */
    static Availability compute(
            String clientId,
            Instant since,
            Instant until,
            List<LogEvent> before,
            List<LogEvent> window,
            Instant unconfirmedSince,
            Duration step,
            boolean withSegments) {
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
            add(segments, cursor, t, fold.status, fold.cause, unknownFrom);
            cursor = t;
            switch (e.event()) {
                case "connected" -> connects++;
                case "connect_failed" -> failed++;
                default -> byInitiator.merge(Objects.requireNonNullElse(e.initiator(), "unknown"), 1L, Long::sum);
            }
            fold.apply(e);
        }
        add(segments, cursor, end, fold.status, fold.cause, unknownFrom);

        long[] totals = totals(segments, start, end);
        long disconnects =
                byInitiator.values().stream().mapToLong(Long::longValue).sum();
        List<Availability.Bucket> buckets =
                step == null ? null : buckets(segments, events, start, end, step.toMillis());
        return new Availability(
                clientId,
                Instants.format(since),
                Instants.format(until),
                ratio(totals[0], totals[1]),
                seconds(totals[0]),
                seconds(totals[1]),
                seconds(totals[2]),
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
                    s.status().name().toLowerCase(java.util.Locale.ROOT),
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

        void apply(LogEvent e) {
            if (e.event().equals("connected")) {
                status = Status.CONNECTED;
                connection = e.connectionId();
                cause = e.message();
            } else if (e.event().equals("disconnected")) {
                boolean otherConnection = status == Status.CONNECTED
                        && connection != null
                        && e.connectionId() != null
                        && !connection.equals(e.connectionId());
                if (!otherConnection) {
                    if (status != Status.DISCONNECTED) {
                        cause = e.message();
                    }
                    status = Status.DISCONNECTED;
                    connection = null;
                }
            }
        }
    }

    /** Adds [from, to) in {@code status}, the part from {@code unknownFrom} on as unknown; merges equal neighbours. */
    private static void add(List<Segment> segments, long from, long to, Status status, String cause, long unknownFrom) {
        if (to <= from) {
            return;
        }
        if (unknownFrom < to) {
            add(segments, from, Math.max(from, unknownFrom), status, cause, Long.MAX_VALUE);
            add(segments, Math.max(from, unknownFrom), to, Status.UNKNOWN, UNCONFIRMED, Long.MAX_VALUE);
            return;
        }
        if (!segments.isEmpty()) {
            Segment last = segments.get(segments.size() - 1);
            if (last.status() == status && last.end() == from) {
                segments.set(segments.size() - 1, new Segment(last.start(), to, status, last.cause()));
                return;
            }
        }
        segments.add(new Segment(from, to, status, cause));
    }

    /** Connected, disconnected and unknown milliseconds of the segments within [from, to). */
    private static long[] totals(List<Segment> segments, long from, long to) {
        long[] totals = new long[3];
        for (Segment s : segments) {
            long length = Math.min(s.end(), to) - Math.max(s.start(), from);
            if (length > 0) {
                totals[
                        switch (s.status()) {
                            case CONNECTED -> 0;
                            case DISCONNECTED -> 1;
                            case UNKNOWN -> 2;
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
                    ratio(totals[0], totals[1]),
                    seconds(totals[0]),
                    seconds(totals[1]),
                    seconds(totals[2]),
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

    private static Double ratio(long connected, long disconnected) {
        return connected + disconnected == 0 ? null : (double) connected / (connected + disconnected);
    }

    private static double seconds(long millis) {
        return millis / 1000.0;
    }

    private static String format(long millis) {
        return Instants.format(Instant.ofEpochMilli(millis));
    }
}
