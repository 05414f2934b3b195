package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.config.ConnmonConfig;
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
 * host name check), from the one typed {@code connmon.mqtt.*} both connections are built from.
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
        MqttSourceSettings settings = defaultBroker(Map.of(
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

    @Test
    void theDefaultBrokerTakesEverySettingAFurtherSourceTakes() throws Exception {
        MqttSourceSettings settings = defaultBroker(Map.of(
                "connmon.mqtt.host", "emqx.example",
                "connmon.mqtt.topics", "$SYS/brokers/+/clients/#",
                "connmon.mqtt.dialect", "emqx",
                "connmon.mqtt.keep-alive", "45"));

        assertThat(settings.topics()).containsExactly("$SYS/brokers/+/clients/#");
        assertThat(settings.dialect()).isEqualTo("emqx");
        assertThat(settings.publisherOptions("-monitor", 1).getKeepAliveInterval())
                .isEqualTo(45);
        assertThat(settings.clientId()).isEqualTo("connmon");
    }

    @Test
    void withoutAHostTheDefaultBrokerIsOnThisMachine() throws Exception {
        MqttSourceSettings settings = defaultBroker(Map.of());

        assertThat(settings.host()).isEqualTo("127.0.0.1");
        assertThat(settings.port()).isEqualTo(1883);
        assertThat(settings.topics()).containsExactly("connmon/events/#");
        assertThat(settings.dialect()).isNull();
    }

    private static MqttClientOptions monitorOptions(Map<String, String> settings) throws Exception {
        return defaultBroker(settings).publisherOptions("-monitor", 1024);
    }

    /** The default broker as the application maps it: the packaged application.properties, then these settings. */
    private static MqttSourceSettings defaultBroker(Map<String, String> settings) throws Exception {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withMapping(ConnmonConfig.class)
                .withSources(new PropertiesConfigSource(
                        MonitorChannelConfigTest.class.getResource("/application.properties"), 250))
                .withSources(new PropertiesConfigSource(settings, "settings", 400))
                .build();
        return MqttSourceSettings.defaultBroker(
                config.getConfigMapping(ConnmonConfig.class).mqtt());
    }
}
