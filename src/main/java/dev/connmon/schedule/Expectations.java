package dev.connmon.schedule;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.query.FilterText;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.StateFilter;
import dev.connmon.state.ClientCalendar;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The configured expected check-ins ({@code connmon.expectations.<name>.*}, docs/api.md §10.7), checked once at start
 * (a bad one stops startup with a message naming its key) and installed in {@link ClientCalendar}.
 */
@Startup
@ApplicationScoped
public class Expectations {
    /** One expectation: the clients its identity filter names are asleep for {@code within} after a disconnect. */
    public record Expectation(String name, StateFilter filter, Duration every, Duration grace) {
        public Duration within() {
            return every.plus(grace);
        }
    }

    private final List<Expectation> all;

    Expectations(ConnmonConfig config) {
        List<Expectation> built = new ArrayList<>();
        new TreeMap<>(config.expectations()).forEach((name, e) -> built.add(of(name, e)));
        this.all = List.copyOf(built);
        ClientCalendar.expectations(all.stream()
                .map(e -> new ClientCalendar.Expectation(
                        e.name(), e.within(), e.filter()::matchesId, e.filter()::condition))
                .toList());
    }

    static Expectation of(String name, ConnmonConfig.Expectation config) {
        String key = "connmon.expectations." + name + ".";
        StateFilter filter;
        try {
            filter = identityFilter(config.filter().orElse(""));
        } catch (InvalidParameterException e) {
            throw new IllegalArgumentException(key + "filter: " + e.parameter() + " " + e.getMessage());
        }
        if (config.every().isNegative() || config.every().isZero()) {
            throw new IllegalArgumentException(key + "every: must be positive");
        }
        Duration grace = config.grace().orElse(Duration.ZERO);
        if (grace.isNegative()) {
            throw new IllegalArgumentException(key + "grace: must not be negative");
        }
        return new Expectation(name, filter, config.every(), grace);
    }

    /**
     * A filter in the list API's syntax that names clients by who they are, so that it names the same clients at
     * every time: a maintenance window's or an expectation's. Anything else is an error naming the parameter.
     */
    static StateFilter identityFilter(String text) {
        StateFilter filter = FilterText.parse(text).filter(Instant.now());
        filter.notIdentity().ifPresent(name -> {
            throw new InvalidParameterException(
                    name,
                    "is about a client's state, not who it is: only clientIdPrefix, clientType, deviceType and "
                            + "deviceId name the same clients at every time");
        });
        return filter;
    }

    public List<Expectation> all() {
        return all;
    }
}
