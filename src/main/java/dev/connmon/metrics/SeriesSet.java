package dev.connmon.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.Map;

/**
 * The gauges of one name whose label sets come and go (a device type enters the top N, a client matches the
 * allow-list): each {@link #set} replaces the values, registers the new label sets and removes the vanished ones, so
 * a scrape reads only what the last refresh computed and never sees a series that no longer exists.
 */
public final class SeriesSet {
    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final Map<Tags, Gauge> registered = new HashMap<>();
    private volatile Map<Tags, Double> values = Map.of();

    public SeriesSet(MeterRegistry registry, String name, String description) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        // a previous application in this JVM (tests, dev mode) left its series in Quarkus' root registry (see Gauges)
        registry.find(name).gauges().forEach(registry::remove);
    }

    public synchronized void set(Map<Tags, Double> next) {
        values = Map.copyOf(next);
        registered.entrySet().removeIf(series -> {
            if (next.containsKey(series.getKey())) {
                return false;
            }
            registry.remove(series.getValue());
            return true;
        });
        next.keySet().forEach(tags -> registered.computeIfAbsent(tags, this::register));
    }

    /** The label sets currently reported. */
    public Map<Tags, Double> values() {
        return values;
    }

    private Gauge register(Tags tags) {
        return Gauge.builder(name, this, set -> set.value(tags))
                .tags(tags)
                .description(description)
                .strongReference(true)
                .register(registry);
    }

    private double value(Tags tags) {
        Double value = values.get(tags);
        return value == null ? Double.NaN : value;
    }
}
