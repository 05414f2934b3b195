package dev.connmon.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.function.ToDoubleFunction;

/**
 * Registers a gauge on this application's object, replacing one of the same name and tags. Micrometer keeps the first
 * gauge of an id and ignores later registrations, and Quarkus' root registry outlives an application restarted in
 * the same JVM (tests, dev mode): without the replacement, a restarted application's gauge read the old, collected
 * object and showed NaN.
 */
public final class Gauges {
    private Gauges() {}

    public static <T> void register(
            MeterRegistry registry, String name, Tags tags, String description, T state, ToDoubleFunction<T> value) {
        register(registry, name, tags, description, null, state, value);
    }

    /** With a base unit ({@code seconds}: the Prometheus name ends in {@code _seconds}). */
    public static <T> void register(
            MeterRegistry registry,
            String name,
            Tags tags,
            String description,
            String baseUnit,
            T state,
            ToDoubleFunction<T> value) {
        registry.find(name).tags(tags).gauges().forEach(registry::remove);
        Gauge.builder(name, state, value)
                .tags(tags)
                .description(description)
                .baseUnit(baseUnit)
                .strongReference(true)
                .register(registry);
    }
}
