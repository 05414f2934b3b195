package dev.connmon.ingest;

import dev.connmon.config.ConnmonConfig;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClientOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * One broker connection (a source): where it is, how connmon signs in, which topics it reads, and the dialect it
 * fixes (null: each message's dialect follows from its topic).
 */
public record MqttSourceSettings(
        String name,
        String host,
        int port,
        String username,
        String password,
        String clientId,
        List<String> topics,
        String dialect,
        boolean ssl,
        String caFile,
        boolean trustAll,
        String hostnameVerification,
        int keepAliveSeconds,
        int maxMessageBytes) {

    static final String DEFAULT_SOURCE = "default";
    /** Appended to the default broker's client id for the connection that publishes the monitoring topics. */
    public static final String MONITOR_CLIENT_ID_SUFFIX = "-monitor";

    /**
     * The default broker ({@code connmon.mqtt.*}): the lifecycle channel reads it, and the monitoring topics are
     * published there over a connection of their own ({@link #publisherOptions}). Without a host, the embedded
     * broker sets one at start; failing that, this machine.
     */
    public static MqttSourceSettings defaultBroker(ConnmonConfig.Mqtt mqtt) {
        return of(DEFAULT_SOURCE, mqtt.host().orElse("127.0.0.1"), mqtt.clientId(), mqtt.topics(), mqtt);
    }

    /**
     * Further brokers: {@code connmon.sources.<name>.<property>}, or as environment variables
     * {@code CONNMON_SOURCES_<NAME>_<PROPERTY>} (the name in lower case), in the order of their names.
     */
    static List<MqttSourceSettings> sources(Map<String, ConnmonConfig.Source> sources) {
        List<MqttSourceSettings> settings = new ArrayList<>();
        new TreeMap<>(sources)
                .forEach((name, source) -> settings.add(of(
                        name,
                        source.host(),
                        source.clientId().orElse(defaultClientId(name)),
                        source.topics(),
                        source)));
        return settings;
    }

    private static MqttSourceSettings of(
            String name, String host, String clientId, List<String> topics, ConnmonConfig.BrokerConnection connection) {
        return new MqttSourceSettings(
                name,
                host,
                connection.port(),
                connection.username().orElse(null),
                connection.password().orElse(null),
                clientId,
                topics.stream().map(String::trim).filter(t -> !t.isEmpty()).toList(),
                connection.dialect().orElse(null),
                connection.ssl(),
                connection.caFile().orElse(null),
                connection.trustAll(),
                connection.hostnameVerification().name(),
                connection.keepAlive(),
                connection.maxMessageBytes());
    }

    /** A source's client id when none is configured: {@code connmon} for the default broker, else {@code connmon-<name>}. */
    static String defaultClientId(String sourceName) {
        return DEFAULT_SOURCE.equals(sourceName) ? "connmon" : "connmon-" + sourceName;
    }

    /**
     * Every client id connmon connects with, from its configuration ({@code key} → value): the default broker's and
     * its monitoring publisher's, and each further source's ({@code sourceNames}). The embedded broker keeps them to
     * connmon (docs/api.md §8).
     */
    public static Set<String> ownClientIds(Function<String, Optional<String>> key, Collection<String> sourceNames) {
        Set<String> ids = new TreeSet<>();
        String main = key.apply("connmon.mqtt.client-id").orElse(defaultClientId(DEFAULT_SOURCE));
        ids.add(main);
        ids.add(main + MONITOR_CLIENT_ID_SUFFIX);
        for (String name : sourceNames) {
            ids.add(key.apply("connmon.sources." + name + ".client-id").orElse(defaultClientId(name)));
        }
        return ids;
    }

    public String address() {
        return (ssl ? "mqtts://" : "mqtt://") + host + ":" + port;
    }

    /** The MQTT client options of this connection: a persistent session, acknowledged by connmon. */
    MqttClientOptions clientOptions() {
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(clientId)
                .setCleanSession(false)
                .setKeepAliveInterval(keepAliveSeconds)
                .setMaxMessageSize(maxMessageBytes)
                .setSsl(ssl())
                .setHostnameVerificationAlgorithm("NONE".equals(hostnameVerification()) ? "" : hostnameVerification());
        if (caFile() != null) {
            options.setTrustOptions(new PemTrustOptions().addCertPath(caFile()));
        }
        if (trustAll()) {
            options.setTrustAll(true);
        }
        options.setAutoAck(false);
        if (username() != null) {
            options.setUsername(username());
        }
        if (password() != null) {
            options.setPassword(password());
        }
        return options;
    }

    /**
     * The options of a connection that only publishes, on the same broker with the same credentials and TLS: client
     * id {@code <clientId><suffix>}, a clean session (it subscribes to nothing), up to {@code inflight} QoS 1
     * publishes awaiting their PUBACK.
     */
    public MqttClientOptions publisherOptions(String suffix, int inflight) {
        MqttClientOptions options = clientOptions();
        options.setClientId(clientId + suffix).setCleanSession(true).setAutoAck(true);
        options.setMaxInflightQueue(inflight);
        return options;
    }

    /** Whether the broker may be an embedded one in this JVM: only a loopback address can reach it (resolves host). */
    boolean isOnThisMachine() {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
