package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.ingest.MqttSourceSettings;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClientOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The monitoring topics are published on the broker connmon reads from, so their connection must reach that broker
 * the way the lifecycle channel does: the same host, credentials and TLS (the CA file, or any certificate, and the
 * host name check). Read from the packaged application.properties, as the application itself maps it.
 */
class MonitorChannelConfigTest {
    @Test
    void theMonitorConnectionGetsTheLifecycleChannelsTls() throws Exception {
        MqttClientOptions options = monitorOptions(Map.of(
                "connmon.mqtt.ssl",
                "true",
                "connmon.mqtt.ca-file",
                "/etc/connmon/ca.pem",
                "connmon.mqtt.trust-all",
                "true"));

        assertThat(options.isSsl()).isTrue();
        assertThat(options.getTrustOptions())
                .isInstanceOfSatisfying(
                        PemTrustOptions.class,
                        pem -> assertThat(pem.getCertPaths()).containsExactly("/etc/connmon/ca.pem"));
        assertThat(options.isTrustAll()).isTrue();
        // the broker's certificate must name the host, on both connections, unless turned off for both
        assertThat(options.getHostnameVerificationAlgorithm()).isEqualTo("HTTPS");
    }

    @Test
    void hostnameVerificationTurnedOffReachesTheMonitorConnection() throws Exception {
        MqttClientOptions options =
                monitorOptions(Map.of("connmon.mqtt.ssl", "true", "connmon.mqtt.hostname-verification", "NONE"));

        assertThat(options.getHostnameVerificationAlgorithm()).isEmpty();
    }

    @Test
    void withoutTlsTheMonitorConnectionIsPlainAndNamesNoTrustStore() throws Exception {
        MqttClientOptions options = monitorOptions(Map.of());

        assertThat(options.isSsl()).isFalse();
        assertThat(options.isTrustAll()).isFalse();
        assertThat(options.getTrustOptions()).isNull();
    }

    @Test
    void theMonitorConnectionSignsInAsConnmonDoesUnderAnIdOfItsOwn() throws Exception {
        SmallRyeConfig config = config(Map.of(
                "connmon.mqtt.host",
                "broker.example",
                "connmon.mqtt.port",
                "8883",
                "connmon.mqtt.username",
                "connmon-user",
                "connmon.mqtt.password",
                "secret",
                "connmon.mqtt.client-id",
                "cm-1"));
        MqttSourceSettings settings = MqttSourceSettings.defaultBroker(config);
        MqttClientOptions options = settings.publisherOptions("-monitor", 1024);

        assertThat(settings.host()).isEqualTo("broker.example");
        assertThat(settings.port()).isEqualTo(8883);
        assertThat(options.getUsername()).isEqualTo("connmon-user");
        assertThat(options.getPassword()).isEqualTo("secret");
        // the lifecycle session (cm-1) is persistent; the monitoring one subscribes to nothing and keeps nothing
        assertThat(options.getClientId()).isEqualTo("cm-1-monitor");
        assertThat(options.isCleanSession()).isTrue();
        assertThat(options.getMaxInflightQueue()).isEqualTo(1024);
    }

    private static MqttClientOptions monitorOptions(Map<String, String> settings) throws Exception {
        return MqttSourceSettings.defaultBroker(config(settings)).publisherOptions("-monitor", 1024);
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
