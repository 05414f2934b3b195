package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.support.PackagedApp;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * docs/api.md §9: activity held for the end of its window is not lost when the broker stops. A broker of the test's own
 * (no connmon in front of it), with a window far longer than the test, read by a persistent session as connmon's.
 */
// a broker of its own started and stopped: in the long suites
@Tag("long")
@Tag("embedded-broker")
class ActivityFlushOnShutdownTest {

    @Test
    void aStoppingBrokerSendsTheActivityItHolds() throws Exception {
        Path dir = Files.createTempDirectory("activity-flush");
        BrokerSettings settings = new BrokerSettings(
                "127.0.0.1",
                PackagedApp.freePort(),
                true,
                Map.of(),
                "connmon-system",
                "pw",
                "connmon/events/",
                "embedded",
                dir,
                Map.of(),
                false,
                BrokerSettings.DEFAULT_MONITOR_FILTERS,
                Duration.ofMinutes(10),
                java.util.Set.of(),
                Map.of(),
                BrokerSettings.DEFAULT_MAX_PACKET_SIZE);
        List<JsonObject> events = new CopyOnWriteArrayList<>();
        EmbeddedBroker broker = new EmbeddedBroker(settings).start();
        try {
            Mqtt5BlockingClient connmon = systemSession(settings, events);
            Mqtt5BlockingClient device = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("held-device")
                    .serverHost(settings.host())
                    .serverPort(settings.port())
                    .buildBlocking();
            device.connect();
            device.publishWith()
                    .topic("sensors/held")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new byte[] {1})
                    .send();
            await().atMost(Duration.ofSeconds(15)).until(() -> types(events).contains("connected"));
            assertThat(types(events)).doesNotContain("published");
            connmon.disconnect();

            broker.close();
            // the events sent while stopping wait in connmon's persistent session for the next start
            broker = new EmbeddedBroker(settings).start();
            systemSession(settings, events);
            await().atMost(Duration.ofSeconds(20)).until(() -> types(events).contains("published"));
        } finally {
            broker.close();
        }
    }

    private static Mqtt5BlockingClient systemSession(BrokerSettings settings, List<JsonObject> events) {
        Mqtt5BlockingClient connmon = MqttClient.builder()
                .useMqttVersion5()
                .identifier("connmon")
                .serverHost(settings.host())
                .serverPort(settings.port())
                .buildBlocking();
        // before connecting: a resumed session's queued messages arrive at once, before any subscription's callback
        // exists (the client drops them: "No publish flow registered")
        connmon.toAsync()
                .publishes(
                        com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL,
                        p -> events.add(new JsonObject(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))));
        connmon.connectWith()
                .cleanStart(false)
                .sessionExpiryInterval(3600)
                .simpleAuth()
                .username(settings.systemUsername())
                .password(settings.systemPassword().getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
        connmon.toAsync()
                .subscribeWith()
                .topicFilter(settings.eventTopicPrefix() + "#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send()
                .join();
        return connmon;
    }

    private static List<String> types(List<JsonObject> events) {
        return events.stream()
                .filter(e -> "held-device".equals(e.getString("clientId")))
                .map(e -> e.getString("event"))
                .toList();
    }
}
