package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.connmon.support.Api;
import dev.connmon.support.PackagedApp;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's run command: the packaged connmon on its embedded default (nothing configured but a free broker port
 * and a fresh data directory), its generated API key, and an MQTT 5 device.
 */
@Tag("embedded-broker")
// a packaged-app test: in the long suites, which CI runs
@Tag("long")
class EmbeddedDefaultIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void anMqtt5DeviceIsConnectedWithinASecondAndItsDisconnectWithReason4IsRecorded() throws Exception {
        Path dataDir = Files.createTempDirectory("connmon-default");
        int brokerPort = PackagedApp.freePort();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connmon.embedded.data-dir", dataDir.toString());
        config.put("connmon.embedded.broker-port", Integer.toString(brokerPort));
        config.put("quarkus.log.level", "WARN");
        Path output = dataDir.resolve("connmon.out");
        try (PackagedApp app = PackagedApp.start(config, List.of(), output)) {
            // a start with nothing wrong warns of nothing: no Kafka channel left unconnected by the switch that
            // turned it off, no SLF4J calls replayed by a binding race between the database and the broker
            assertThat(Files.readString(output)).doesNotContain("SRMSG00207").doesNotContain("SLF4J(W)");
            Properties key = new Properties();
            try (InputStream in = Files.newInputStream(dataDir.resolve("api-key.properties"))) {
                key.load(in);
            }
            // the second a device is promised is the path broker → PostgreSQL → API, not a fresh JVM's first
            // request and first batch: a first device, given all the time it needs, warms both
            Mqtt5BlockingClient first =
                    device(brokerPort, "warm-up-" + UUID.randomUUID().toString().substring(0, 8));
            first.connect();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> state(
                                    app,
                                    key,
                                    first.getConfig()
                                            .getClientIdentifier()
                                            .get()
                                            .toString())
                            != null);
            first.disconnect();

            String id = "sensor-" + UUID.randomUUID().toString().substring(0, 8);
            Mqtt5BlockingClient device = device(brokerPort, id);
            long connecting = System.nanoTime();
            device.connect();
            await().atMost(Duration.ofSeconds(1))
                    .pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> assertThat(status(state(app, key, id))).isEqualTo("connected"));
            System.out.printf(
                    "An MQTT 5 device was shown connected %d ms after it connected%n",
                    (System.nanoTime() - connecting) / 1_000_000);

            device.disconnectWith()
                    .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
                    .send();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonObject state = state(app, key, id);
                assertThat(status(state)).isEqualTo("disconnected");
                assertThat(state.getString("lastDisconnectInitiator")).isEqualTo("client");
                assertThat(state.getInteger("lastDisconnectReasonCode")).isEqualTo(4);
            });

            // the generated key gets a stream token (docs/api.md §12), signed with a pair made in the data directory
            assertThat(dataDir.resolve("token-signing-key.pem")).exists();
            assertThat(dataDir.resolve("token-verification-key.pem")).exists();
            String credentials = key.getProperty("key") + ":" + key.getProperty("token");
            HttpResponse<String> issued = HTTP.send(
                    HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v0002/tokens"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .header(
                                    "Authorization",
                                    "Basic "
                                            + Base64.getEncoder()
                                                    .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(issued.statusCode()).isEqualTo(201);
            HttpResponse<String> read = HTTP.send(
                    HttpRequest.newBuilder(URI.create(app.baseUrl() + Api.STATES + "/" + Api.segment(id)
                                    + "?access_token=" + new JsonObject(issued.body()).getString("token")))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).isEqualTo(200);
        }
    }

    private static Mqtt5BlockingClient device(int brokerPort, String clientId) {
        return MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(brokerPort)
                .buildBlocking();
    }

    private static String status(JsonObject state) {
        return state == null ? "unknown" : state.getString("connectionStatus");
    }

    /** The client's state as GET returns it, or null while connmon knows nothing of it (404). */
    private static JsonObject state(PackagedApp app, Properties key, String clientId) throws Exception {
        // the JDK's client, the lightest at hand: the polls must take as little of the second as they can
        String credentials = key.getProperty("key") + ":" + key.getProperty("token");
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(app.baseUrl() + Api.STATES + "/" + Api.segment(clientId)))
                        .header(
                                "Authorization",
                                "Basic "
                                        + Base64.getEncoder()
                                                .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return null;
        }
        assertThat(response.statusCode()).isEqualTo(200);
        return new JsonObject(response.body());
    }
}
