package dev.connmon.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.support.PackagedApp;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A bad setting stops connmon at start with a message naming the key (ConnmonConfig's constraints), before it touches
 * a database or a broker. A batch size of 0 or a source without a host once got no such check.
 */
@Tag("long")
class ConfigErrorsIT {
    /** Configured (so nothing embedded starts) but unreachable: a run that got past configuration would fail there. */
    private static Map<String, String> base() {
        Map<String, String> properties = new HashMap<>();
        properties.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/none");
        properties.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/none");
        properties.put("connmon.mqtt.host", "127.0.0.1");
        properties.put("connmon.mqtt.port", "1");
        return properties;
    }

    private static PackagedApp.Exit runWith(String key, String value) {
        Map<String, String> properties = base();
        properties.put(key, value);
        return PackagedApp.runToExit(properties);
    }

    @Test
    void anOutOfRangeNumberNamesItsKey() {
        PackagedApp.Exit exit = runWith("connmon.ingest.batch-size", "0");
        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("connmon.ingest.batch-size").doesNotContain("Flyway");
        // the key and its rule, and nothing a newcomer must read past: no stack trace, no start-up chatter
        assertThat(exit.output().lines().filter(line -> !line.isBlank()))
                .containsExactly(
                        "Configuration validation failed:",
                        "\tconnmon.ingest.batch-size must be greater than or equal to 1");
    }

    @Test
    void aValueOfTheWrongTypeNamesItsKey() {
        PackagedApp.Exit exit = runWith("connmon.live.keep-alive", "soon");
        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("connmon.live.keep-alive");
    }

    @Test
    void aSourceWithoutAHostNamesTheMissingKey() {
        PackagedApp.Exit exit = runWith("connmon.sources.eu.topics", "$SYS/brokers/+/clients/#");
        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("connmon.sources.eu.host");
    }

    @Test
    void anUnknownHostnameVerificationNamesItsKey() {
        PackagedApp.Exit exit = runWith("connmon.mqtt.hostname-verification", "SOMETIMES");
        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("connmon.mqtt.hostname-verification");
    }

    /**
     * Alert rules are checked once the database is migrated (their bean starts with the application): these runs get
     * an embedded PostgreSQL in a data directory of their own, and an unreachable broker.
     */
    private static Map<String, String> withDatabase() {
        Map<String, String> properties = new HashMap<>();
        try {
            properties.put(
                    "connmon.embedded.data-dir",
                    java.nio.file.Files.createTempDirectory(java.nio.file.Path.of("target", "tmp"), "config-errors")
                            .toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        properties.put("connmon.mqtt.host", "127.0.0.1");
        properties.put("connmon.mqtt.port", "1");
        return properties;
    }

    @Test
    void anAlertRuleWithAnUnknownConditionNamesItsKey() {
        Map<String, String> properties = withDatabase();
        properties.put("connmon.alerts.pumps.when", "sometimes");
        PackagedApp.Exit exit = PackagedApp.runToExit(properties);
        assertThat(exit.code()).isNotZero();
        assertThat(exit.output())
                .contains("connmon.alerts.pumps.when")
                .contains("offline, silent, flapping, fleet-drop");
    }

    @Test
    void aFleetDropRuleWithoutThresholdAndAFilterWithAnUnknownParameterNameTheirKeys() {
        Map<String, String> properties = withDatabase();
        properties.put("connmon.alerts.fleet.when", "fleet-drop");
        PackagedApp.Exit exit = PackagedApp.runToExit(properties);
        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("connmon.alerts.fleet.threshold");

        properties = withDatabase();
        properties.put("connmon.alerts.pumps.when", "offline");
        properties.put("connmon.alerts.pumps.filter", "deviceType=pump&colour=red");
        exit = PackagedApp.runToExit(properties);
        assertThat(exit.code()).isNotZero();
        assertThat(exit.output()).contains("connmon.alerts.pumps.filter").contains("colour");
    }
}
