package dev.connmon.ingest;

import dev.connmon.config.ConnmonConfig;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClientOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;

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
    /** Vert.x's names; NONE turns the check off. */
    private static final List<String> HOSTNAME_VERIFICATIONS = List.of("HTTPS", "LDAPS", "NONE");

    /** The channel's own broker ({@code connmon.mqtt.*}, mapped onto the channel in application.properties). */
    static MqttSourceSettings fromChannel(Config channel) {
        String channelName = channel.getValue("channel-name", String.class);
        return of(
                channel.getOptionalValue("source-name", String.class).orElse(DEFAULT_SOURCE),
                key -> channel.getOptionalValue(key, String.class),
                "channel '" + channelName + "'");
    }

    /**
     * The default broker ({@code connmon.mqtt.*}), as the lifecycle channel reads it: the monitoring topics are
     * published there, over a connection of their own ({@link #publisherOptions}).
     */
    public static MqttSourceSettings defaultBroker(Config config) {
        return of(
                DEFAULT_SOURCE,
                key -> config.getOptionalValue("mp.messaging.incoming.lifecycle." + key, String.class),
                "channel 'lifecycle'");
    }

    /**
     * Further brokers: {@code connmon.sources.<name>.<property>}, or as environment variables
     * {@code CONNMON_SOURCES_<NAME>_<PROPERTY>} (the name in lower case); checked by {@link ConnmonConfig}.
     */
    static List<MqttSourceSettings> additional(Map<String, ConnmonConfig.Source> sources) {
        List<MqttSourceSettings> settings = new ArrayList<>();
        new TreeMap<>(sources)
                .forEach((name, source) -> settings.add(new MqttSourceSettings(
                        name,
                        source.host(),
                        source.port(),
                        source.username().orElse(null),
                        source.password().orElse(null),
                        source.clientId().orElse(defaultClientId(name)),
                        source.topics().stream()
                                .map(String::trim)
                                .filter(t -> !t.isEmpty())
                                .toList(),
                        source.dialect().orElse(null),
                        source.ssl(),
                        source.caFile().orElse(null),
                        source.trustAll(),
                        source.hostnameVerification().name(),
                        source.keepAlive(),
                        source.maxMessageBytes())));
        return settings;
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

    private static MqttSourceSettings of(String name, Function<String, Optional<String>> value, String what) {
        String topics = value.apply("topics").orElseThrow(() -> new IllegalArgumentException(what + " has no topics"));
        return new MqttSourceSettings(
                name,
                value.apply("host").orElseThrow(() -> new IllegalArgumentException(what + " has no host")),
                integer(value, "port", 1883, what),
                value.apply("username").orElse(null),
                value.apply("password").orElse(null),
                value.apply("client-id").orElse(defaultClientId(name)),
                Arrays.stream(topics.split(","))
                        .map(String::trim)
                        .filter(t -> !t.isEmpty())
                        .toList(),
                value.apply("dialect").orElse(null),
                Boolean.parseBoolean(value.apply("ssl").orElse("false")),
                value.apply("ca-file").orElse(null),
                Boolean.parseBoolean(value.apply("trust-all").orElse("false")),
                hostnameVerification(value, what),
                integer(value, "keep-alive", 30, what),
                // Netty 4.1.133's MqttDecoder bails out ("message length exceeds <max>") whenever a message's
                // variable header arrives split across reads and the replaying buffer claims at least <max> readable
                // bytes, which it always does (Integer.MAX_VALUE - readerIndex): the connection drops and the broker
                // redelivers, in a loop. Integer.MAX_VALUE is the one limit that sidesteps it. Size policy lives in
                // MessageDecoder (connmon.ingest.max-payload-bytes), and brokers cap packet sizes themselves.
                integer(value, "max-message-bytes", Integer.MAX_VALUE, what));
    }

    /**
     * With TLS, the broker's certificate must name the host connmon connects to (HTTPS rules), as browsers and
     * {@code mosquitto_sub} check it: a CA-signed certificate for any other host must not do. Vert.x's MQTT client
     * does not check the name unless told to.
     */
    private static String hostnameVerification(Function<String, Optional<String>> value, String what) {
        String algorithm =
                value.apply("hostname-verification").orElse("HTTPS").trim().toUpperCase(Locale.ROOT);
        if (!HOSTNAME_VERIFICATIONS.contains(algorithm)) {
            throw new IllegalArgumentException(
                    what + ": hostname-verification '" + algorithm + "' is not one of " + HOSTNAME_VERIFICATIONS);
        }
        return algorithm;
    }

    private static int integer(Function<String, Optional<String>> value, String key, int defaultValue, String what) {
        String text = value.apply(key).orElse(null);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": " + key + " '" + text + "' is not a number");
        }
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
