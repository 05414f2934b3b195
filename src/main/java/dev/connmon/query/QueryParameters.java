package dev.connmon.query;

import dev.connmon.lifecycle.ClientIds;
import dev.connmon.lifecycle.Instants;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Parsing of query parameters, each failure a 400 that names the parameter and says why. */
public final class QueryParameters {
    private QueryParameters() {}

    /**
     * An ISO 8601 instant ({@code 2026-11-26T06:00:00Z}, offsets allowed), epoch milliseconds, or an ISO 8601
     * duration or period meaning that long before {@code now} ({@code PT15M}, {@code P2D}, {@code P1M}); within
     * {@link Instants#RANGE}, as every time connmon stores, so that no later step (PostgreSQL, a window's length)
     * meets a time it cannot hold.
     */
    public static Instant time(String name, String value, Instant now) {
        if (value == null) {
            return null;
        }
        String text = value.trim();
        if (text.isEmpty()) {
            throw new InvalidParameterException(name, "must not be empty");
        }
        Instant time;
        try {
            if (text.matches("-?\\d{1,18}")) {
                time = Instant.ofEpochMilli(Long.parseLong(text));
            } else if (text.startsWith("P") || text.startsWith("p")) {
                return ago(name, text.toUpperCase(Locale.ROOT), now);
            } else {
                time = OffsetDateTime.parse(text).toInstant();
            }
        } catch (DateTimeException | ArithmeticException e) {
            throw new InvalidParameterException(
                    name,
                    "'" + abbreviate(text) + "' is neither an ISO 8601 time "
                            + "(2026-11-26T06:00:00Z), epoch milliseconds nor an ISO 8601 duration (P2D, PT15M)");
        }
        return storable(name, text, time);
    }

    private static Instant ago(String name, String text, Instant now) {
        int t = text.indexOf('T');
        boolean hasTime = t >= 0;
        String datePart = hasTime ? text.substring(0, t) : text;
        if (!hasTime && datePart.equals("P")) {
            throw new DateTimeException("an ISO 8601 duration needs at least one part");
        }
        Period period = datePart.equals("P") ? Period.ZERO : Period.parse(datePart);
        Duration duration = hasTime ? Duration.parse("P" + text.substring(t)) : Duration.ZERO;
        if (period.isNegative() || duration.isNegative()) {
            throw new DateTimeException("negative");
        }
        return ago(name, text, period, duration, now);
    }

    /** {@code now} minus {@code period} and {@code duration}: a 400 naming the parameter if that is out of range. */
    public static Instant ago(String name, String value, Period period, Duration duration, Instant now) {
        try {
            return storable(
                    name,
                    value,
                    now.atOffset(ZoneOffset.UTC).minus(period).toInstant().minus(duration));
        } catch (DateTimeException | ArithmeticException e) {
            throw outOfRange(name, value);
        }
    }

    private static Instant storable(String name, String value, Instant time) {
        if (!Instants.storable(time)) {
            throw outOfRange(name, value);
        }
        return time;
    }

    private static InvalidParameterException outOfRange(String name, String value) {
        return new InvalidParameterException(name, "'" + abbreviate(value) + "' is a time outside " + Instants.RANGE);
    }

    public static int integer(String name, String value, int min, int max, int defaultValue) {
        if (value == null) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed < min || parsed > max) {
                throw new InvalidParameterException(name, "must be between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, "'" + abbreviate(value) + "' is not an integer");
        }
    }

    public static long longValue(String name, String value) {
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, "'" + abbreviate(value) + "' is not an event id");
        }
    }

    public static String oneOf(String name, String value, Set<String> allowed) {
        if (value == null) {
            return null;
        }
        if (!allowed.contains(value)) {
            throw new InvalidParameterException(
                    name, "'" + abbreviate(value) + "' is not one of " + String.join(", ", new TreeSet<>(allowed)));
        }
        return value;
    }

    public static String text(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty()) {
            throw new InvalidParameterException(name, "must not be empty");
        }
        ClientIds.problem(value).ifPresent(problem -> {
            throw new InvalidParameterException(name, problem.replace("clientId", "value"));
        });
        return value;
    }

    public static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "…";
    }
}
