package dev.connmon.api;

import dev.connmon.lifecycle.Instants;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.QueryParameters;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;

/**
 * The {@code since} / {@code until} / {@code step} of the fleet-health endpoints (docs/api.md §10), checked: since before
 * until, a positive step of at least {@code minStep}, at most {@value #MAX_BUCKETS} buckets. Each failure is a 400
 * naming the parameter.
 */
record TimeWindow(Instant since, Instant until, Duration step) {
    static final int MAX_BUCKETS = 1000;
    static final String STEP = "ISO 8601 duration (PT5M, PT1H, P1D)";
    private static final Duration LONGEST_STEP = Duration.between(Instants.FIRST, Instants.LAST);

    static TimeWindow parse(
            String since,
            String until,
            String step,
            Instant now,
            Duration defaultSince,
            Duration defaultStep,
            Duration minStep) {
        Instant to = until == null ? now : QueryParameters.time("until", until, now);
        Instant from = since == null ? to.minus(defaultSince) : QueryParameters.time("since", since, now);
        if (!from.isBefore(to)) {
            throw new InvalidParameterException("since", "must be before until (" + to + ")");
        }
        Duration length = step == null ? defaultStep : duration("step", step);
        if (length != null) {
            if (length.compareTo(minStep) < 0) {
                throw new InvalidParameterException("step", "must be at least " + minStep);
            }
            if (length.compareTo(LONGEST_STEP) > 0) {
                // longer than any window, and past what a long holds in milliseconds
                throw new InvalidParameterException("step", "must not be longer than " + Instants.RANGE);
            }
            long buckets = (Duration.between(from, to).toMillis() + length.toMillis() - 1) / length.toMillis();
            if (buckets > MAX_BUCKETS) {
                throw new InvalidParameterException(
                        "step", "makes " + buckets + " buckets of this window; at most " + MAX_BUCKETS);
            }
        }
        return new TimeWindow(from, to, length);
    }

    static Duration duration(String name, String value) {
        try {
            return Duration.parse(value.trim());
        } catch (DateTimeException | ArithmeticException e) {
            throw new InvalidParameterException(name, "'" + QueryParameters.abbreviate(value) + "' is not an " + STEP);
        }
    }
}
