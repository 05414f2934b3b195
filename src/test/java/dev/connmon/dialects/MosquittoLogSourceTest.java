package dev.connmon.dialects;

import static dev.connmon.support.Api.LOGS;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.state;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.connmon.support.RawMqtt;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMosquitto;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real Mosquitto 2 with {@code log_dest topic} as a second source beside the canonical one: real clients connect,
 * disconnect, drop, time out, fail authentication and take over each other's ids.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("machine-services")
class MosquittoLogSourceTest {
    /** The test-owned Mosquitto behind source {@code mosq}, injected by {@link ServicesResource}. */
    TestMosquitto mosquitto;

    private static int port() {
        return ConfigProvider.getConfig().getValue("connmon.sources.mosq.port", Integer.class);
    }

    private static Mqtt5BlockingClient client(String id) {
        return MqttClient.builder()
                .useMqttVersion5()
                .identifier(id)
                .serverHost("127.0.0.1")
                .serverPort(port())
                .buildBlocking();
    }

    private static String newId(String prefix) {
        return prefix + " " + UUID.randomUUID().toString().substring(0, 8) + " (p5, c1)";
    }

    @Test
    void connectAndDisconnectFromMosquittosLog() {
        String id = newId("mosq client");
        Mqtt5BlockingClient client = client(id);
        client.connectWith()
                .simpleAuth()
                .username(TestMosquitto.USER)
                .password(TestMosquitto.PASSWORD.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .statusCode(200)
                        .body("connectionStatus", equalTo("connected"))
                        .body("mqttConnectProtocol", equalTo("5.0"))
                        .body("username", equalTo(TestMosquitto.USER))
                        .body("node", equalTo("mosq")));
        client.disconnectWith()
                .reasonCode(Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION)
                .send();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("client"))
                        .body("lastDisconnectReasonCode", nullValue()));
        asReader()
                .queryParam("clientId", id)
                .when()
                .get(LOGS)
                .then()
                .statusCode(200)
                .body("source", hasItem("mosq"))
                .body("dialect", hasItem("mosquitto"));
    }

    @Test
    void droppedSocketAndKeepAliveTimeout() throws Exception {
        String dropped = newId("dropper");
        RawMqtt raw = RawMqtt.connect("127.0.0.1", port(), dropped, 60);
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(dropped).body("connectionStatus", equalTo("connected")));
        raw.close();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(dropped)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("network")));

        String silent = newId("sleeper");
        try (RawMqtt sleeper = RawMqtt.connect("127.0.0.1", port(), silent, 1)) {
            assertThat(sleeper.awaitServerClose()).isTrue();
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(silent)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("server"))
                        .body("lastDisconnectReasonCode", equalTo(0x8D)));
    }

    @Test
    void takeoverKeepsTheNewConnection() {
        String id = newId("twin");
        Mqtt5BlockingClient first = client(id);
        first.connect();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id).body("connectionStatus", equalTo("connected")));
        Mqtt5BlockingClient second = client(id);
        second.connect();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("connected"))
                        .body("lastDisconnectInitiator", equalTo("server"))
                        .body("lastDisconnectReasonCode", equalTo(0x8E)));
        second.disconnect();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("client")));
    }

    @Test
    void aStoppedMosquittoDisconnectsItsClientsWithServerShuttingDown() throws Exception {
        String v5 = newId("shutdown v5");
        String v311 = newId("shutdown v311");
        Mqtt5BlockingClient modern = client(v5);
        modern.connect();
        RawMqtt legacy = RawMqtt.connect("127.0.0.1", port(), v311, 60);
        try {
            for (String id : new String[] {v5, v311}) {
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> state(id).body("connectionStatus", equalTo("connected")));
            }

            mosquitto.stop();

            // asserted while the broker is still down: only its last line, "terminating", can have said so
            for (String id : new String[] {v5, v311}) {
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> state(id)
                                .body("connectionStatus", equalTo("disconnected"))
                                .body("lastDisconnectInitiator", equalTo("server"))
                                .body("lastDisconnectReasonCode", equalTo(0x8B))
                                .body("lastDisconnectReason", equalTo("Server shutting down"))
                                .body("unconfirmedSince", nullValue()));
                asReader()
                        .queryParam("clientId", id)
                        .when()
                        .get(LOGS)
                        .then()
                        .statusCode(200)
                        .body("message", hasItem("Disconnected by the server: Server shutting down (0x8B)"));
            }
        } finally {
            legacy.close();
            mosquitto.restart();
            // the other tests need source mosq back (connmon retries within its 10 s backoff)
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> given().when().get("/q/health/ready").then().statusCode(200));
        }
    }

    @Test
    void failedAuthenticationIsCountedSinceMosquittoNamesNoClient() {
        double before = unattributed();
        Mqtt5BlockingClient intruder = client(newId("intruder"));
        assertThatThrownBy(() -> intruder.connectWith()
                        .simpleAuth()
                        .username(TestMosquitto.USER)
                        .password("wrong".getBytes(StandardCharsets.UTF_8))
                        .applySimpleAuth()
                        .send())
                .isInstanceOf(RuntimeException.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> unattributed() > before);
    }

    private static double unattributed() {
        return given().when()
                .get("/q/metrics")
                .then()
                .extract()
                .asString()
                .lines()
                .filter(l -> l.startsWith("connmon_mosquitto_unattributed_total") && l.contains("not_authorised"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
