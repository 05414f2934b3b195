package dev.connmon.support;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/** MQTT clients for tests, pointed at the broker connmon reads from. */
public final class TestMqtt {
    private TestMqtt() {}

    public static String host() {
        return config().getValue("connmon.mqtt.host", String.class);
    }

    public static int port() {
        return config().getValue("connmon.mqtt.port", Integer.class);
    }

    public static String eventTopicPrefix() {
        return config().getOptionalValue("connmon.canonical.topic-prefix", String.class)
                .orElse("connmon/events/");
    }

    public static Mqtt5BlockingClient v5(String clientId) {
        return MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost(host())
                .serverPort(port())
                .buildBlocking();
    }

    /** The test profile's reader API key (application.properties, %test): may read monitoring topics (docs/api.md §8). */
    public static final String READER_KEY = "test-reader";

    public static final String READER_TOKEN = "reader-token";

    /** A connected MQTT 5 client signed in with the reader API key, as a monitoring application would. */
    public static Mqtt5BlockingClient monitorReader(String clientId) {
        Mqtt5BlockingClient client = v5(clientId);
        client.connectWith()
                .simpleAuth()
                .username(READER_KEY)
                .password(READER_TOKEN.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
        return client;
    }

    public static Mqtt3BlockingClient v3(String clientId) {
        return MqttClient.builder()
                .useMqttVersion3()
                .identifier(clientId)
                .serverHost(host())
                .serverPort(port())
                .buildBlocking();
    }

    /**
     * A connected client that may publish canonical events: on the embedded broker it signs in as connmon's
     * system user (ordinary clients are refused there); Mosquitto lets anyone publish.
     */
    public static Mqtt5AsyncClient eventPublisher(String clientId) {
        Mqtt5BlockingClient client = v5(clientId);
        var username = config().getOptionalValue("connmon.mqtt.username", String.class);
        if (username.isPresent()) {
            client.connectWith()
                    .simpleAuth()
                    .username(username.get())
                    .password(config().getValue("connmon.mqtt.password", String.class)
                            .getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth()
                    .send();
        } else {
            client.connect();
        }
        return client.toAsync();
    }

    public static void publishEvent(Mqtt5AsyncClient publisher, String topicSuffix, String json) {
        publisher
                .publishWith()
                .topic(eventTopicPrefix() + topicSuffix)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(json.getBytes(StandardCharsets.UTF_8))
                .send()
                .join();
    }

    private static Config config() {
        return ConfigProvider.getConfig();
    }
}
