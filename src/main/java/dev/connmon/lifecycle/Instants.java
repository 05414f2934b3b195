package dev.connmon.lifecycle;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * Millisecond instants and their one output format (docs/api.md: ISO 8601 UTC with milliseconds).
 * <p>
 * Every lifecycle event carries a time, and every change read back from the feed formats three: in an activity storm
 * the {@link DateTimeFormatter}s were 7 % of connmon's CPU (JFR, docs/benchmarks.md). The canonical UTC form is
 * therefore read and written by hand, each result equal to the formatter's ({@code InstantsTest} checks them
 * against each other); any other form goes to the formatter.
 */
public final class Instants {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int[] FRACTION_SCALE = {
        0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1
    };

    /**
     * The times connmon stores and takes: years 1 to 9999. PostgreSQL refuses years past 294276 and the output
     * format has four-digit years.
     */
    public static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");

    public static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999Z");

    public static final String RANGE = "the years 1 to 9999";

    private Instants() {}

    /** Whether {@code instant} lies within {@link #RANGE}. */
    public static boolean storable(Instant instant) {
        return !instant.isBefore(FIRST) && !instant.isAfter(LAST);
    }

    public static Instant truncate(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    public static String format(Instant instant) {
        if (instant == null) {
            return null;
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        if (t.getYear() < 0 || t.getYear() > 9999) {
            return FORMAT.format(instant);
        }
        char[] c = "0000-00-00T00:00:00.000Z".toCharArray();
        put(c, 0, 4, t.getYear());
        put(c, 5, 2, t.getMonthValue());
        put(c, 8, 2, t.getDayOfMonth());
        put(c, 11, 2, t.getHour());
        put(c, 14, 2, t.getMinute());
        put(c, 17, 2, t.getSecond());
        put(c, 20, 3, t.getNano() / 1_000_000);
        return new String(c);
    }

    /**
     * {@code 2026-12-01T19:31:23.123Z}, with 0 to 9 fraction digits; null when the text is not exactly that form or
     * not a valid time (the caller parses it in full then, and reports the error).
     */
    public static Instant parseUtc(String s) {
        int n = s.length();
        if (n < 20
                || n == 21
                || n > 30
                || s.charAt(4) != '-'
                || s.charAt(7) != '-'
                || s.charAt(10) != 'T'
                || s.charAt(13) != ':'
                || s.charAt(16) != ':'
                || s.charAt(n - 1) != 'Z'
                || (n > 20 && s.charAt(19) != '.')) {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int fraction = n > 20 ? digits(s, 20, n - 21) : 0;
        if ((year | month | day | hour | minute | second | fraction) < 0) {
            return null;
        }
        int nanos = n > 20 ? fraction * FRACTION_SCALE[n - 21] : 0;
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            return null;
        }
    }

    /** The decimal number of {@code length} digits at {@code start}, or -1 when one is not a digit. */
    private static int digits(String s, int start, int length) {
        int value = 0;
        for (int i = start; i < start + length; i++) {
            char d = s.charAt(i);
            if (d < '0' || d > '9') {
                return -1;
            }
            value = value * 10 + (d - '0');
        }
        return value;
    }

    private static void put(char[] c, int start, int length, int value) {
        for (int i = start + length - 1; i >= start; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
