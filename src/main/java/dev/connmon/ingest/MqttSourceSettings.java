package dev.connmon.ingest;

import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.config.Config;

/** One broker connection's settings, read from its channel's configuration. */
record MqttSourceSettings(
        String channel,
        String host,
        int port,
        String username,
        String password,
        String clientId,
        List<String> topics,
        boolean ssl,
        int keepAliveSeconds,
        int maxMessageBytes) {

    static MqttSourceSettings from(Config config) {
        String channel = config.getValue("channel-name", String.class);
        String topics = config.getOptionalValue("topics", String.class)
                .orElseThrow(() -> new IllegalArgumentException("channel '" + channel + "' has no topics"));
        return new MqttSourceSettings(
                channel,
                config.getOptionalValue("host", String.class).orElse("127.0.0.1"),
                config.getOptionalValue("port", Integer.class).orElse(1883),
                config.getOptionalValue("username", String.class).orElse(null),
                config.getOptionalValue("password", String.class).orElse(null),
                config.getOptionalValue("client-id", String.class).orElse("connmon"),
                Arrays.stream(topics.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList(),
                config.getOptionalValue("ssl", Boolean.class).orElse(false),
                config.getOptionalValue("keep-alive", Integer.class).orElse(30),
                // large enough that no lifecycle message is cut off on the wire; size policy lives in MessageDecoder
                config.getOptionalValue("max-message-bytes", Integer.class).orElse(16 * 1024 * 1024));
    }

    String address() {
        return (ssl ? "mqtts://" : "mqtt://") + host + ":" + port;
    }
}
