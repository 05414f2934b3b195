package dev.connmon.embedded;

import static dev.connmon.support.Api.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A Watson IoT application as IBM's SDKs make one — MQTT 3.1.1, client id {@code a:{org}:{appId}}, user name = API
 * key, password = token — on the embedded broker, subscribed to the device status topics (docs/api.md §7).
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("embedded-broker")
class WatsonApplicationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** What a subscriber received, in order, per topic. */
    private record Received(String topic, JsonObject status, boolean retained) {}

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A Watson application: MQTT 3.1.1, signed in with the test profile's reader key. */
    private static Mqtt3BlockingClient application(String appId) {
        Mqtt3BlockingClient app = MqttClient.builder()
                .useMqttVersion3()
                .identifier("a:acme:" + appId)
                .serverHost(TestMqtt.host())
                .serverPort(TestMqtt.port())
                .buildBlocking();
        app.connectWith()
                .simpleAuth()
                .username(TestMqtt.READER_KEY)
                .password(TestMqtt.READER_TOKEN.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
        return app;
    }

    private static List<Received> subscribe(Mqtt3BlockingClient client, String filter) {
        List<Received> received = new CopyOnWriteArrayList<>();
        client.toAsync()
                .subscribeWith()
                .topicFilter(filter)
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback((Mqtt3Publish p) -> received.add(new Received(
                        p.getTopic().toString(),
                        p.getPayloadAsBytes().length == 0
                                ? null
                                : new JsonObject(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)),
                        p.isRetain())))
                .send()
                .join();
        return received;
    }

    private static List<Received> on(List<Received> received, String topic) {
        return received.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    private static List<String> actions(List<Received> received) {
        return received.stream()
                .map(r -> r.status() == null ? "cleared" : r.status().getString("Action"))
                .toList();
    }

    @Test
    void anApplicationSeesOneConnectAndOneDisconnectPerDeviceInOrderAndALateOneTheCurrentStatus() {
        String run = run();
        Mqtt3BlockingClient app = application("watcher-" + run);
        List<Received> received = subscribe(app, "iot-2/type/+/id/+/mon");

        List<String> deviceIds = List.of("s1-" + run, "s2-" + run, "s3-" + run);
        Map<String, Instant> connectedAfter = new ConcurrentHashMap<>();
        for (String deviceId : deviceIds) {
            String clientId = "d:acme:sensor:" + deviceId;
            String topic = "iot-2/type/sensor/id/" + deviceId + "/mon";
            connectedAfter.put(deviceId, Instant.now());
            Mqtt3BlockingClient device = TestMqtt.v3(clientId);
            device.connect();
            await().atMost(WAIT).until(() -> actions(on(received, topic)).contains("Connect"));
            // activity is no status change
            device.publishWith()
                    .topic("iot-2/evt/status/fmt/json")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{}".getBytes(StandardCharsets.UTF_8))
                    .send();
            device.disconnect();
            await().atMost(WAIT).until(() -> actions(on(received, topic)).contains("Disconnect"));
        }
        // a device that connects and disconnects at once, within one ingest batch or not
        String quick = "s4-" + run;
        Mqtt5BlockingClient quickDevice = TestMqtt.v5("d:acme:sensor:" + quick);
        quickDevice.connect();
        quickDevice.disconnect();
        String quickTopic = "iot-2/type/sensor/id/" + quick + "/mon";
        await().atMost(WAIT).until(() -> actions(on(received, quickTopic)).contains("Disconnect"));
        // time for a duplicate or an activity message to show up, were there one
        await().pollDelay(Duration.ofMillis(2500)).until(() -> true);

        assertThat(actions(on(received, quickTopic))).containsExactly("Connect", "Disconnect");
        assertThat(on(received, quickTopic).get(0).status().getString("Protocol"))
                .isEqualTo("mqtt5");
        for (String deviceId : deviceIds) {
            List<Received> statuses = on(received, "iot-2/type/sensor/id/" + deviceId + "/mon");
            assertThat(actions(statuses)).as(deviceId).containsExactly("Connect", "Disconnect");
            JsonObject connect = statuses.get(0).status();
            JsonObject disconnect = statuses.get(1).status();
            String clientId = "d:acme:sensor:" + deviceId;
            for (JsonObject status : List.of(connect, disconnect)) {
                assertThat(status.getString("ClientID")).isEqualTo(clientId);
                assertThat(status.getString("ClientAddr")).isEqualTo("127.0.0.1");
                assertThat(status.getInteger("Port")).isEqualTo(TestMqtt.port());
                assertThat(status.getString("Protocol")).isEqualTo("mqtt4");
                assertThat(status.getBoolean("Durable")).isFalse();
                assertThat(status.getString("ConnectTime")).isEqualTo(connect.getString("Time"));
            }
            assertThat(Instant.parse(connect.getString("Time")))
                    .isAfterOrEqualTo(connectedAfter.get(deviceId).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            assertThat(Instant.parse(disconnect.getString("Time")))
                    .isAfterOrEqualTo(Instant.parse(connect.getString("Time")));
            assertThat(connect.containsKey("Reason")).isFalse();
            assertThat(connect.containsKey("CloseCode")).isFalse();
            assertThat(disconnect.getString("Reason"))
                    .isEqualTo("Disconnected by the client: Normal disconnection (0x00)");
            assertThat(disconnect.getInteger("CloseCode")).isZero();
            io.quarkus.logging.Log.infof("Watson status of %s: %s", clientId, disconnect.encode());
            // the device's own status message is the state the API shows
            state(clientId)
                    .body("connectionStatus", equalTo("disconnected"))
                    .body("lastDisconnectTime", equalTo(disconnect.getString("Time")));
        }

        // a subscriber that arrives later gets each device's current status at once
        Mqtt3BlockingClient late = application("late-" + run);
        List<Received> retained = subscribe(late, "iot-2/type/sensor/id/+/mon");
        for (String deviceId : deviceIds) {
            String topic = "iot-2/type/sensor/id/" + deviceId + "/mon";
            await().atMost(WAIT).until(() -> !on(retained, topic).isEmpty());
            assertThat(on(retained, topic)).singleElement().satisfies(r -> {
                assertThat(r.retained()).isTrue();
                assertThat(r.status().getString("Action")).isEqualTo("Disconnect");
            });
        }
        late.disconnect();
        app.disconnect();
    }

    @Test
    void applicationsAppearOnTheirAppTopicAndADeletedClientsStatusIsCleared() {
        String run = run();
        Mqtt3BlockingClient app = application("app-" + run);
        String appTopic = "iot-2/app/app-" + run + "/mon";
        String deviceId = "gone-" + run;
        String deviceTopic = "iot-2/type/sensor/id/" + deviceId + "/mon";
        Mqtt3BlockingClient device = TestMqtt.v3("d:acme:sensor:" + deviceId);
        device.connect();
        device.disconnect();

        Mqtt3BlockingClient watcher = application("watcher-" + run);
        List<Received> apps = subscribe(watcher, "iot-2/app/+/mon");
        List<Received> devices = subscribe(watcher, deviceTopic);
        await().atMost(WAIT)
                .until(() -> !on(apps, appTopic).isEmpty() && actions(devices).contains("Disconnect"));
        JsonObject appStatus = on(apps, appTopic).get(0).status();
        assertThat(appStatus.getString("Action")).isEqualTo("Connect");
        assertThat(appStatus.getString("ClientID")).isEqualTo("a:acme:app-" + run);
        assertThat(appStatus.getString("User")).isEqualTo(TestMqtt.READER_KEY);

        Api.asAdmin()
                .urlEncodingEnabled(false)
                .when()
                .delete(Api.STATES + "/" + Api.segment("d:acme:sensor:" + deviceId))
                .then()
                .statusCode(204);
        await().atMost(WAIT).until(() -> actions(devices).contains("cleared"));
        watcher.disconnect();

        // nothing retained any more: a new subscriber gets nothing for the deleted device
        Mqtt3BlockingClient late = application("late-" + run);
        List<Received> after = subscribe(late, deviceTopic);
        List<Received> control = subscribe(late, appTopic);
        await().atMost(WAIT).until(() -> !control.isEmpty());
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        assertThat(after).isEmpty();
        late.disconnect();
        app.disconnect();
    }

    /** docs/api.md §8: devices, signed in or not, get no client's monitoring message; an API-key connection gets them. */
    @Test
    void onlyApiKeyConnectionsReadMonitoringTopics() {
        String run = run();
        Mqtt5BlockingClient spy = TestMqtt.v5("d:acme:spy:" + run);
        spy.connect();
        List<String> seenBySpy = new CopyOnWriteArrayList<>();
        for (String filter : List.of("#", "iot-2/#", "+/clients/#")) {
            spy.toAsync()
                    .subscribeWith()
                    .topicFilter(filter)
                    .callback(p -> seenBySpy.add(p.getTopic().toString()))
                    .send()
                    .join();
        }
        for (String named :
                List.of("connmon/clients/#", "iot-2/type/+/id/+/mon", "iot-2/app/+/mon", "connmon/alerts/#")) {
            assertThatThrownBy(() -> spy.subscribeWith().topicFilter(named).send())
                    .as(named)
                    .isInstanceOfSatisfying(
                            com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException.class,
                            e -> assertThat(e.getMqttMessage().getReasonCodes())
                                    .containsExactly(
                                            com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode
                                                    .NOT_AUTHORIZED));
        }
        // a key without a role may connect, but reads no more than a device
        Mqtt5BlockingClient roleless = TestMqtt.v5("a:acme:roleless-" + run);
        roleless.connectWith()
                .simpleAuth()
                .username("test-roleless")
                .password("roleless-token".getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
        List<String> seenByRoleless = new CopyOnWriteArrayList<>();
        roleless.toAsync()
                .subscribeWith()
                .topicFilter("#")
                .callback(p -> seenByRoleless.add(p.getTopic().toString()))
                .send()
                .join();

        Mqtt5BlockingClient reader = TestMqtt.monitorReader("a:acme:reader-" + run);
        List<String> seenByReader = new CopyOnWriteArrayList<>();
        reader.toAsync()
                .subscribeWith()
                .topicFilter("#")
                .callback(p -> seenByReader.add(p.getTopic().toString()))
                .send()
                .join();

        String observed = "d:acme:sensor:observed-" + run;
        Mqtt5BlockingClient device = TestMqtt.v5(observed);
        device.connect();
        device.publishWith()
                .topic("plain/" + run)
                .payload("x".getBytes())
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        device.disconnect();
        String watsonTopic = "iot-2/type/sensor/id/observed-" + run + "/mon";
        await().atMost(WAIT)
                .until(() -> seenByReader.stream().filter(watsonTopic::equals).count() == 2
                        && seenByReader.stream()
                                .anyMatch(t -> t.startsWith("connmon/clients/d:acme:sensor:observed-" + run)));
        await().atMost(WAIT).until(() -> seenBySpy.contains("plain/" + run) && seenByRoleless.contains("plain/" + run));

        for (List<String> seen : List.of(seenBySpy, seenByRoleless)) {
            // neither the live messages nor any client's retained one
            assertThat(seen).noneMatch(t -> t.startsWith("connmon/") || t.endsWith("/mon"));
        }
        assertThat(seenByReader).noneMatch(t -> t.startsWith("connmon/events/"));
        // nor may a device publish a status of its own making
        // (refused either way: the client reports the PUBACK's error, or fails the call on it)
        try {
            var forged = spy.publishWith()
                    .topic("iot-2/type/sensor/id/forged-" + run + "/mon")
                    .retain(true)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{\"Action\":\"Connect\"}".getBytes())
                    .send();
            assertThat(forged.getError()).isPresent();
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException refused) {
            assertThat(refused.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87);
        }
        try {
            spy.disconnect();
        } catch (com.hivemq.client.mqtt.exceptions.MqttClientStateException alreadyClosed) {
            // HiveMQ may also close a connection whose publish it refused
        }
        roleless.disconnect();
        reader.disconnect();
    }

    /**
     * Refused as Watson IoT refused it, with MQTT 3.1.1 return code 5 (IBM's SDKs retry forever on any other), and
     * logged with the reason, 0x86 (docs/api.md §8).
     */
    @Test
    void aWrongTokenForAnApiKeyIsRefusedAndLoggedAsAFailedConnect() {
        String clientId = "a:acme:intruder-" + run();
        Mqtt3BlockingClient intruder = MqttClient.builder()
                .useMqttVersion3()
                .identifier(clientId)
                .serverHost(TestMqtt.host())
                .serverPort(TestMqtt.port())
                .buildBlocking();
        assertThatThrownBy(() -> intruder.connectWith()
                        .simpleAuth()
                        .username(TestMqtt.READER_KEY)
                        .password("not-the-token".getBytes(StandardCharsets.UTF_8))
                        .applySimpleAuth()
                        .send())
                .isInstanceOfSatisfying(
                        com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException.class,
                        e -> assertThat(e.getMqttMessage().getReturnCode())
                                .isEqualTo(
                                        com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode
                                                .NOT_AUTHORIZED));
        await().atMost(WAIT)
                .untilAsserted(() -> Api.asReader()
                        .queryParam("clientId", clientId)
                        .when()
                        .get(Api.LOGS)
                        .then()
                        .statusCode(200)
                        .body("size()", equalTo(1))
                        .body("[0].event", equalTo("connect_failed"))
                        .body("[0].reasonCode", equalTo(0x86)));
        state(clientId).statusCode(404);
    }
}
