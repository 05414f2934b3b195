package dev.connmon.dialects;

import static dev.connmon.support.Api.LOGS;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.state;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * EMQX, AWS IoT, NanoMQ and Watson lifecycle messages travelling through the machine's Mosquitto (the $-topics
 * under a bridge prefix with the dialect fixed, as docs/api.md §1 allows), published in shuffled order: the stored
 * states are those of the newest information. Five sources feed one state table.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("machine-services")
class BridgedDialectsTest {

    private record Fixture(String topic, String payload) {}

    @Test
    void shuffledHistoriesOfEveryDialectGiveTheNewestState() {
        String bridge = ConfigProvider.getConfig().getValue(ServicesResource.BRIDGE_PREFIX_KEY, String.class);
        String run = UUID.randomUUID().toString().substring(0, 6);
        String emqxId = "emqx-" + run;
        String awsId = "aws-" + run;
        String nanoId = "nano-" + run;
        String watsonId = "d:org" + run + ":psutil:001";
        List<Fixture> fixtures = new ArrayList<>(
                List.of(
                        // EMQX: connect, an old connection's late "takenover" disconnect, then the real end
                        new Fixture(
                                bridge + "/emqx/$SYS/brokers/emqx@n1/clients/" + emqxId + "/connected",
                                "{\"clientid\":\"" + emqxId
                                        + "\",\"ts\":1700000000000,\"connected_at\":1700000000000,\"proto_ver\":5,\"ipaddress\":\"10.0.0.1\"}"),
                        new Fixture(
                                bridge + "/emqx/$SYS/brokers/emqx@n1/clients/" + emqxId + "/connected",
                                "{\"clientid\":\"" + emqxId
                                        + "\",\"ts\":1700000100000,\"connected_at\":1700000100000,\"proto_ver\":5,\"ipaddress\":\"10.0.0.2\"}"),
                        new Fixture(
                                bridge + "/emqx/$SYS/brokers/emqx@n1/clients/" + emqxId + "/disconnected",
                                "{\"clientid\":\"" + emqxId
                                        + "\",\"ts\":1700000100005,\"disconnected_at\":1700000100005,\"connected_at\":1700000000000,\"reason\":\"takenover\"}"),
                        // AWS: connected, keep-alive timeout of the same connection (same version number)
                        new Fixture(
                                bridge + "/aws/$aws/events/presence/connected/" + awsId,
                                "{\"clientId\":\"" + awsId
                                        + "\",\"timestamp\":1700000000000,\"eventType\":\"connected\",\"sessionIdentifier\":\"s1\",\"versionNumber\":3,\"ipAddress\":\"192.0.2.1\"}"),
                        new Fixture(
                                bridge + "/aws/$aws/events/presence/disconnected/" + awsId,
                                "{\"clientId\":\"" + awsId
                                        + "\",\"timestamp\":1700000050000,\"eventType\":\"disconnected\",\"sessionIdentifier\":\"s1\",\"versionNumber\":3,\"clientInitiatedDisconnect\":false,\"disconnectReason\":\"MQTT_KEEP_ALIVE_TIMEOUT\"}"),
                        // NanoMQ
                        new Fixture(
                                bridge + "/nanomq/$SYS/brokers/connected",
                                "{\"username\":\"hello\",\"ts\":1700000000000,\"proto_name\":\"MQTT\",\"keepalive\":60,\"return_code\":\"0\",\"proto_ver\":4,\"client_id\":\""
                                        + nanoId + "\",\"clean_start\":1,\"IPv4\":\"127.0.0.1\"}"),
                        new Fixture(
                                bridge + "/nanomq/$SYS/brokers/disconnected",
                                "{\"username\":\"hello\",\"ts\":1700000009000,\"reason_code\":\"8b\",\"client_id\":\""
                                        + nanoId + "\",\"IPv4\":\"127.0.0.1\"}"),
                        // Watson: connect, disconnect, reconnect
                        new Fixture(
                                "iot-2/type/psutil/id/001/mon",
                                "{\"ClientID\":\"" + watsonId
                                        + "\",\"Action\":\"Connect\",\"Time\":\"2023-11-14T22:13:20.000Z\",\"ConnectTime\":\"2023-11-14T22:13:20.000Z\",\"ClientAddr\":\"195.212.29.68\",\"Protocol\":\"mqtt4\"}"),
                        new Fixture(
                                "iot-2/type/psutil/id/001/mon",
                                "{\"ClientID\":\"" + watsonId
                                        + "\",\"Action\":\"Disconnect\",\"Time\":\"2023-11-14T22:20:00.000Z\",\"ConnectTime\":\"2023-11-14T22:13:20.000Z\",\"Reason\":\"The connection has completed normally.\"}"),
                        new Fixture(
                                "iot-2/type/psutil/id/001/mon",
                                "{\"ClientID\":\"" + watsonId
                                        + "\",\"Action\":\"Connect\",\"Time\":\"2023-11-14T23:00:00.000Z\",\"ConnectTime\":\"2023-11-14T23:00:00.000Z\",\"ClientAddr\":\"195.212.29.69\",\"Protocol\":\"mqtt4\"}")));
        Collections.shuffle(fixtures, new Random(11));
        fixtures.addAll(fixtures.subList(0, 3));

        Mqtt5BlockingClient publisher = MqttClient.builder()
                .useMqttVersion5()
                .identifier("fixtures-" + run)
                .serverHost("127.0.0.1")
                .serverPort(1883)
                .buildBlocking();
        publisher.connect();
        for (Fixture fixture : fixtures) {
            publisher
                    .publishWith()
                    .topic(fixture.topic())
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(fixture.payload().getBytes(StandardCharsets.UTF_8))
                    .send();
        }
        publisher.disconnect();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            state(emqxId)
                    .statusCode(200)
                    .body("connectionStatus", equalTo("connected"))
                    .body("ipAddress", equalTo("10.0.0.2"))
                    .body("lastDisconnectReasonCode", equalTo(0x8E))
                    .body("node", equalTo("emqx@n1"));
            state(awsId)
                    .statusCode(200)
                    .body("connectionStatus", equalTo("disconnected"))
                    .body("lastDisconnectInitiator", equalTo("server"))
                    .body("lastDisconnectReasonCode", equalTo(0x8D));
            state(nanoId)
                    .statusCode(200)
                    .body("connectionStatus", equalTo("disconnected"))
                    .body("lastDisconnectReasonCode", equalTo(0x8B))
                    .body("mqttConnectProtocol", equalTo("3.1.1"));
            state(watsonId)
                    .statusCode(200)
                    .body("connectionStatus", equalTo("connected"))
                    .body("clientType", equalTo("device"))
                    .body("ipAddress", equalTo("195.212.29.69"))
                    .body("lastDisconnectInitiator", equalTo("client"));
        });
        asReader()
                .queryParam("clientId", emqxId)
                .when()
                .get(LOGS)
                .then()
                .statusCode(200)
                .body("$", hasSize(3))
                .body("source", hasItem("emqx"))
                .body("dialect", hasItem("emqx"));
        asReader()
                .queryParam("typeId", "psutil")
                .queryParam("deviceId", "001")
                .queryParam("since", "2023-11-14T00:00:00Z")
                .queryParam("until", "2023-11-15T00:00:00Z")
                .when()
                .get(LOGS)
                .then()
                .statusCode(200)
                .body("dialect", hasItem("watson"));
    }
}
