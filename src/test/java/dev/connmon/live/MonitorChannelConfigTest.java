package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The monitoring topic is published on the broker connmon reads from, so its channel must reach that broker the
 * way the lifecycle channel does: with TLS when {@code connmon.mqtt.ssl} is on, trusting the same CA file (or any
 * certificate). Read from the packaged application.properties, as the application itself maps it.
 */
class MonitorChannelConfigTest {
    private static final String LIFECYCLE = "mp.messaging.incoming.lifecycle.";
    private static final String MONITOR = "mp.messaging.outgoing.monitor.";

    @Test
    void theMonitorChannelGetsTheLifecycleChannelsTls() throws Exception {
        SmallRyeConfig config = config(Map.of(
                "connmon.mqtt.ssl",
                "true",
                "connmon.mqtt.ca-file",
                "/etc/connmon/ca.pem",
                "connmon.mqtt.trust-all",
                "true"));

        assertThat(config.getValue(LIFECYCLE + "ssl", Boolean.class)).isTrue();
        assertThat(config.getValue(MONITOR + "ssl", Boolean.class)).isTrue();
        assertThat(config.getValue(MONITOR + "ssl.truststore.type", String.class))
                .isEqualTo("pem");
        assertThat(config.getValue(MONITOR + "ssl.truststore.location", String.class))
                .isEqualTo(config.getValue(LIFECYCLE + "ca-file", String.class))
                .isEqualTo("/etc/connmon/ca.pem");
        assertThat(config.getValue(MONITOR + "trust-all", Boolean.class))
                .isEqualTo(config.getValue(LIFECYCLE + "trust-all", Boolean.class))
                .isTrue();
        // the broker's certificate must name the host, on both channels, unless turned off for both
        assertThat(config.getValue(MONITOR + "ssl.hostname-verification-algorithm", String.class))
                .isEqualTo(config.getValue(LIFECYCLE + "hostname-verification", String.class))
                .isEqualTo("HTTPS");
    }

    @Test
    void hostnameVerificationTurnedOffReachesBothChannels() throws Exception {
        SmallRyeConfig config =
                config(Map.of("connmon.mqtt.ssl", "true", "connmon.mqtt.hostname-verification", "NONE"));

        assertThat(config.getValue(MONITOR + "ssl.hostname-verification-algorithm", String.class))
                .isEqualTo(config.getValue(LIFECYCLE + "hostname-verification", String.class))
                .isEqualTo("NONE");
    }

    @Test
    void withoutTlsTheMonitorChannelIsPlainAndNamesNoTrustStore() throws Exception {
        SmallRyeConfig config = config(Map.of());

        assertThat(config.getValue(MONITOR + "ssl", Boolean.class)).isFalse();
        assertThat(config.getValue(MONITOR + "trust-all", Boolean.class)).isFalse();
        assertThat(config.getOptionalValue(MONITOR + "ssl.truststore.location", String.class))
                .isEmpty();
    }

    private static SmallRyeConfig config(Map<String, String> settings) throws Exception {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(
                        MonitorChannelConfigTest.class.getResource("/application.properties"), 250))
                .withSources(new PropertiesConfigSource(settings, "settings", 400))
                .build();
    }
}
