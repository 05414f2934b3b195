package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded services start before Quarkus, from the same keys: each must read as Quarkus will read it, expanded,
 * in its profile, from the source that wins.
 */
class StartupConfigTest {
    private static final Map<String, String> SET = Map.of(
            "quarkus.profile", "staging",
            "connmon.embedded.node", "${connmon.test.site}-7",
            "connmon.test.site", "plant",
            "%staging.connmon.embedded.broker-port", "18830",
            "%dev.connmon.embedded.broker-host", "0.0.0.0",
            "connmon.embedded.users.alice", "s3cret",
            "connmon.embedded.users.bob", "pw",
            "connmon.activity.window", "  PT2S  ",
            "quarkus.datasource.reactive.max-size", "7");

    @AfterEach
    void clear() {
        SET.keySet().forEach(System::clearProperty);
    }

    @Test
    void keysReadAsQuarkusReadsThem() {
        SET.forEach(System::setProperty);
        StartupConfig config = new StartupConfig();

        assertThat(config.get("connmon.embedded.node")).contains("plant-7");
        assertThat(config.get("connmon.embedded.broker-port")).contains("18830");
        // another profile's key is not this one's
        assertThat(config.get("connmon.embedded.broker-host", "127.0.0.1")).isEqualTo("127.0.0.1");
        assertThat(config.get("connmon.activity.window")).contains("PT2S");
        // the packaged application.properties is read, below the system properties (it says 20)
        assertThat(config.get("quarkus.datasource.db-kind")).contains("postgresql");
        assertThat(config.get("quarkus.datasource.reactive.max-size")).contains("7");
        assertThat(config.byPrefix("connmon.embedded.users.")).isEqualTo(Map.of("alice", "s3cret", "bob", "pw"));
    }

    @Test
    void anEmptyValueIsUnset() {
        System.setProperty("connmon.activity.window", " ");
        assertThat(new StartupConfig().get("connmon.activity.window", "PT1S")).isEqualTo("PT1S");
    }
}
