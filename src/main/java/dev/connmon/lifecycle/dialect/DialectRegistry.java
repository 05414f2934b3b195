package dev.connmon.lifecycle.dialect;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.Optional;

/** Picks the dialect of a message from its topic (or, without one, its payload); dialects are CDI beans, so a new one plugs in by existing. */
@ApplicationScoped
public class DialectRegistry {
    private final List<Dialect> dialects;

    DialectRegistry(Instance<Dialect> dialects) {
        this.dialects = dialects.stream().toList();
    }

    public Optional<Dialect> byName(String name) {
        return dialects.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** A topic-less message's dialect, recognised from its payload ({@link PayloadShape}). */
    public Optional<Dialect> forPayload(byte[] payload) {
        return PayloadShape.dialectOf(payload).flatMap(this::byName);
    }

    public Optional<Dialect> forTopic(String topic) {
        for (Dialect dialect : dialects) {
            if (dialect.matches(topic)) {
                return Optional.of(dialect);
            }
        }
        return Optional.empty();
    }
}
