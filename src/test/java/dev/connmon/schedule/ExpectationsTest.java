package dev.connmon.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connmon.config.ConnmonConfig;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An expectation as configured (docs/api.md §10.7): what it names, and the message a bad one stops startup with. */
class ExpectationsTest {
    private static ConnmonConfig.Expectation config(String filter, String every, String grace) {
        return new ConnmonConfig.Expectation() {
            @Override
            public Optional<String> filter() {
                return Optional.ofNullable(filter);
            }

            @Override
            public Duration every() {
                return Duration.parse(every);
            }

            @Override
            public Optional<Duration> grace() {
                return Optional.ofNullable(grace).map(Duration::parse);
            }
        };
    }

    @Test
    void anExpectationNamesClientsByWhoTheyAreAndSleepsForEveryPlusGrace() {
        Expectations.Expectation e = Expectations.of("sensors", config("deviceType=sensor", "PT1H", "PT10M"));
        assertThat(e.within()).isEqualTo(Duration.ofMinutes(70));
        assertThat(e.filter().matchesId("d:acme:sensor:1")).isTrue();
        assertThat(e.filter().matchesId("d:acme:pump:1")).isFalse();
        assertThat(Expectations.of("all", config(null, "PT5M", null)).within()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void aBadExpectationIsAnErrorNamingItsKey() {
        assertThatThrownBy(() -> Expectations.of("s", config("connectionStatus=disconnected", "PT1H", null)))
                .hasMessageStartingWith("connmon.expectations.s.filter: connectionStatus is about a client's state");
        assertThatThrownBy(() -> Expectations.of("s", config("flapping=true", "PT1H", null)))
                .hasMessageStartingWith("connmon.expectations.s.filter: flapping");
        assertThatThrownBy(() -> Expectations.of("s", config("deviceKind=x", "PT1H", null)))
                .hasMessageStartingWith("connmon.expectations.s.filter: deviceKind");
        assertThatThrownBy(() -> Expectations.of("s", config("", "PT0S", null)))
                .hasMessage("connmon.expectations.s.every: must be positive");
        assertThatThrownBy(() -> Expectations.of("s", config("", "PT1H", "-PT1M")))
                .hasMessage("connmon.expectations.s.grace: must not be negative");
    }
}
