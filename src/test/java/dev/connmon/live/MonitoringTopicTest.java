package dev.connmon.live;

import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The MQTT monitoring topic (docs/api.md §4): retained, so a subscriber that joins later gets the state at once. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class MonitoringTopicTest {

    @Test
    void aLateSubscriberGetsTheCurrentStateRetainedAndEveryChangeAfter() {
        String id = "d:mon:sensor:" + UUID.randomUUID().toString().substring(0, 6) + "/with+odd#chars%";
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("monitor-" + UUID.randomUUID());
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        TestMqtt.publishEvent(publisher, "monitor", connected(id, t0, "c1").encode());

        String topic = "connmon/clients/"
                + id.replace("%", "%25").replace("/", "%2F").replace("+", "%2B").replace("#", "%23") + "/state";
        List<Mqtt5Publish> received = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Mqtt5BlockingClient late = TestMqtt.monitorReader("late-" + UUID.randomUUID());
            List<Mqtt5Publish> seen = new CopyOnWriteArrayList<>();
            late.toAsync()
                    .subscribeWith()
                    .topicFilter(topic)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .callback(seen::add)
                    .send()
                    .join();
            await().pollDelay(Duration.ofMillis(300)).until(() -> true);
            late.disconnect();
            // a subscriber that came before the state was published gets it live, not retained: try again later
            assertThat(seen).anyMatch(Mqtt5Publish::isRetain);
            received.addAll(seen);
        });
        Mqtt5Publish retained =
                received.stream().filter(Mqtt5Publish::isRetain).findFirst().orElseThrow();
        JsonObject state = new JsonObject(new String(retained.getPayloadAsBytes(), StandardCharsets.UTF_8));
        assertThat(state.getString("id")).isEqualTo(id);
        assertThat(state.getString("connectionStatus")).isEqualTo("connected");

        Mqtt5BlockingClient watcher = TestMqtt.monitorReader("watcher-" + UUID.randomUUID());
        List<Mqtt5Publish> live = new CopyOnWriteArrayList<>();
        watcher.toAsync()
                .subscribeWith()
                .topicFilter(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback(live::add)
                .send()
                .join();
        TestMqtt.publishEvent(
                publisher,
                "monitor",
                disconnected(id, t0.plusSeconds(9), "c1", "server", 0x8D).encode());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> live.stream()
                        .anyMatch(p -> new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)
                                .contains("\"disconnected\"")));
        watcher.disconnect();
        publisher.disconnect().join();
    }
    /**
     * A control character in a client id would make a validating broker (HiveMQ) drop the publisher's connection over
     * the topic, and the publisher would retry that change forever: the id's control characters are percent-encoded.
     */
    @Test
    void anIdWithAControlCharacterGetsItsTopicAndDoesNotStallTheOthers() {
        String odd = "mon-ctl\u0001-" + UUID.randomUUID().toString().substring(0, 6);
        String plain = "mon-after-" + UUID.randomUUID().toString().substring(0, 6);
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("monitor-" + UUID.randomUUID());
        Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
        TestMqtt.publishEvent(publisher, "monitor", connected(odd, t0, "c1").encode());
        TestMqtt.publishEvent(publisher, "monitor", connected(plain, t0, "c1").encode());
        publisher.disconnect().join();
        for (String topic : List.of(
                "connmon/clients/" + odd.replace("\u0001", "%01") + "/state", "connmon/clients/" + plain + "/state")) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                Mqtt5BlockingClient late = TestMqtt.monitorReader("late-" + UUID.randomUUID());
                List<Mqtt5Publish> seen = new CopyOnWriteArrayList<>();
                late.toAsync()
                        .subscribeWith()
                        .topicFilter(topic)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .callback(seen::add)
                        .send()
                        .join();
                await().pollDelay(Duration.ofMillis(300)).until(() -> true);
                late.disconnect();
                assertThat(seen).as(topic).isNotEmpty();
            });
        }
    }
}
