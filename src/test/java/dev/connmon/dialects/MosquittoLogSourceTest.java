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
import java.util.LinkedHashMap;
import java.util.Map;
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

    /** How an attacker of {@link #hostileIdsEndTheirOwnConnectionsNotTheVictims} ends its connection. */
    private enum End {
        CLEAN("client"),
        DROPPED("network"),
        PROTOCOL_ERROR("server"),
        KEEP_ALIVE("server");

        final String initiator;

        End(String initiator) {
            this.initiator = initiator;
        }
    }

    /**
     * Ids that hold a connected victim's id and the text of Mosquitto's own lines (docs/api.md §1): each attacker's
     * end is its own, and the victim, which does nothing after its connect, stays connected with that as its last act.
     */
    @Test
    void hostileIdsEndTheirOwnConnectionsNotTheVictims() throws Exception {
        String victim = "mq-victim-" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, End> attackers = new LinkedHashMap<>();
        attackers.put(victim + " disconnected due to protocol error", End.CLEAN);
        attackers.put(victim + " disconnected", End.PROTOCOL_ERROR);
        attackers.put(victim + " closed its connection", End.CLEAN);
        attackers.put(victim + ", disconnecting.", End.DROPPED);
        attackers.put(victim + " has exceeded timeout, disconnecting.", End.DROPPED);
        attackers.put(victim + " has exceeded timeout, disconnecting", End.KEEP_ALIVE);
        attackers.put(victim + " disconnected: Success", End.CLEAN);
        attackers.put(victim + " disconnected.", End.PROTOCOL_ERROR);
        attackers.put(victim + " (p2, c1, k60", End.DROPPED);
        attackers.put(victim + " as x", End.CLEAN);
        attackers.put("x as " + victim, End.DROPPED);
        attackers.put(victim + " x", End.KEEP_ALIVE);
        attackers.put("x " + victim, End.CLEAN);
        attackers.put(" " + victim, End.DROPPED);
        attackers.put(victim + "2", End.CLEAN);
        attackers.put(victim + " ✓ disconnected", End.DROPPED);
        attackers.put(victim + " a/b", End.CLEAN); // also subscribes and unsubscribes t/x

        Mqtt5BlockingClient victimClient = client(victim);
        victimClient.connect();
        Map<String, Mqtt5BlockingClient> clients = new LinkedHashMap<>();
        Map<String, RawMqtt> raws = new LinkedHashMap<>();
        for (Map.Entry<String, End> attacker : attackers.entrySet()) {
            switch (attacker.getValue()) {
                case CLEAN -> {
                    Mqtt5BlockingClient c = client(attacker.getKey());
                    c.connect();
                    clients.put(attacker.getKey(), c);
                }
                case KEEP_ALIVE -> {} // connected last: they time out within two seconds
                default -> raws.put(attacker.getKey(), RawMqtt.connect("127.0.0.1", port(), attacker.getKey(), 60));
            }
        }
        try {
            for (String id : attackers.keySet()) {
                if (attackers.get(id) != End.KEEP_ALIVE) {
                    await().atMost(Duration.ofSeconds(30))
                            .untilAsserted(
                                    () -> state(id).statusCode(200).body("connectionStatus", equalTo("connected")));
                }
            }
            Mqtt5BlockingClient subscriber = clients.get(victim + " a/b");
            subscriber.subscribeWith().topicFilter("t/x").send();
            subscriber.unsubscribeWith().topicFilter("t/x").send();
            for (Map.Entry<String, End> attacker : attackers.entrySet()) {
                if (attacker.getValue() == End.KEEP_ALIVE) {
                    raws.put(attacker.getKey(), RawMqtt.connect("127.0.0.1", port(), attacker.getKey(), 1));
                }
            }

            for (Map.Entry<String, End> attacker : attackers.entrySet()) {
                switch (attacker.getValue()) {
                    case CLEAN -> clients.get(attacker.getKey()).disconnect();
                    case DROPPED -> raws.get(attacker.getKey()).close();
                    case PROTOCOL_ERROR -> raws.get(attacker.getKey()).send(0x00, 0x00); // reserved packet type
                    case KEEP_ALIVE ->
                        assertThat(raws.get(attacker.getKey()).awaitServerClose())
                                .isTrue();
                }
            }

            for (Map.Entry<String, End> attacker : attackers.entrySet()) {
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> state(attacker.getKey())
                                .body("connectionStatus", equalTo("disconnected"))
                                .body("lastDisconnectInitiator", equalTo(attacker.getValue().initiator)));
            }
            state(victim)
                    .body("connectionStatus", equalTo("connected"))
                    .body("lastDisconnectTime", nullValue())
                    .body("lastActivityEvent", equalTo("mqttConnect"));
            asReader()
                    .queryParam("clientId", victim)
                    .when()
                    .get(LOGS)
                    .then()
                    .statusCode(200)
                    .body("size()", equalTo(1));
        } finally {
            victimClient.disconnect();
            for (RawMqtt raw : raws.values()) {
                try {
                    raw.close();
                } catch (java.io.IOException alreadyClosed) {
                    // dropped above, or closed by the broker
                }
            }
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
