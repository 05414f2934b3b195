package dev.connmon.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.eclipse.microprofile.config.Config;

/**
 * One broker connection (a source): where it is, how connmon signs in, which topics it reads, and the dialect it
 * fixes (null: each message's dialect follows from its topic).
 */
record MqttSourceSettings(
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
    static final String SOURCES_PREFIX = "connmon.sources.";
    private static final List<String> PROPERTIES = List.of("host", "port", "username", "password", "client-id",
            "topics", "dialect", "ssl", "ca-file", "trust-all", "hostname-verification", "keep-alive",
            "max-message-bytes");
    /** Vert.x's names; NONE turns the check off. */
    private static final List<String> HOSTNAME_VERIFICATIONS = List.of("HTTPS", "LDAPS", "NONE");

    /** The channel's own broker ({@code connmon.mqtt.*}, mapped onto the channel in application.properties). */
    static MqttSourceSettings fromChannel(Config channel) {
        String channelName = channel.getValue("channel-name", String.class);
        return of(channel.getOptionalValue("source-name", String.class).orElse(DEFAULT_SOURCE),
                key -> channel.getOptionalValue(key, String.class), "channel '" + channelName + "'");
    }

    /**
     * Further brokers: {@code connmon.sources.<name>.<property>}, or as environment variables
     * {@code CONNMON_SOURCES_<NAME>_<PROPERTY>} (the name in lower case).
     */
    static List<MqttSourceSettings> additional(Config config) {
        Map<String, Map<String, String>> sources = new TreeMap<>();
        for (String property : config.getPropertyNames()) {
            if (property.startsWith(SOURCES_PREFIX)) {
                String rest = property.substring(SOURCES_PREFIX.length());
                for (String known : PROPERTIES) {
                    if (rest.endsWith("." + known) && rest.length() > known.length() + 1) {
                        String name = rest.substring(0, rest.length() - known.length() - 1);
                        config.getOptionalValue(property, String.class).ifPresent(value ->
                                sources.computeIfAbsent(name, n -> new TreeMap<>()).put(known, value));
                    }
                }
            }
        }
        System.getenv().forEach((variable, value) -> {
            String prefix = "CONNMON_SOURCES_";
            if (variable.startsWith(prefix)) {
                String rest = variable.substring(prefix.length());
                for (String known : PROPERTIES) {
                    String suffix = "_" + known.toUpperCase(Locale.ROOT).replace('-', '_');
                    if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
                        String name = rest.substring(0, rest.length() - suffix.length()).toLowerCase(Locale.ROOT);
                        sources.computeIfAbsent(name, n -> new TreeMap<>()).putIfAbsent(known, value);
                    }
                }
            }
        });
        List<MqttSourceSettings> settings = new ArrayList<>();
        sources.forEach((name, values) -> settings.add(of(name,
                key -> Optional.ofNullable(values.get(key)).filter(v -> !v.isBlank()), "source '" + name + "'")));
        return settings;
    }

    private static MqttSourceSettings of(String name, Function<String, Optional<String>> value, String what) {
        String topics = value.apply("topics")
                .orElseThrow(() -> new IllegalArgumentException(what + " has no topics"));
        return new MqttSourceSettings(
                name,
                value.apply("host").orElseThrow(() -> new IllegalArgumentException(what + " has no host")),
                integer(value, "port", 1883, what),
                value.apply("username").orElse(null),
                value.apply("password").orElse(null),
                value.apply("client-id").orElse(DEFAULT_SOURCE.equals(name) ? "connmon" : "connmon-" + name),
                Arrays.stream(topics.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList(),
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
        String algorithm = value.apply("hostname-verification").orElse("HTTPS").trim().toUpperCase(Locale.ROOT);
        if (!HOSTNAME_VERIFICATIONS.contains(algorithm)) {
            throw new IllegalArgumentException(what + ": hostname-verification '" + algorithm
                    + "' is not one of " + HOSTNAME_VERIFICATIONS);
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

    String address() {
        return (ssl ? "mqtts://" : "mqtt://") + host + ":" + port;
    }
}
