package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.support.Api;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The packaged connmon on its embedded default, stopped with SIGTERM or killed with SIGKILL while a real MQTT 5
 * device is connected, then started again on its data directory: the device is shown
 * disconnected by the server with 0x8B at the stop time, or at the last heartbeat; a reconnect follows in its log.
 * Each test fails without its part of EmbeddedNodeGuard (checked): with no sweep at the stop, the SIGTERM test finds
 * no stop line and the disconnect at the earlier heartbeat; with no sweep at the start, the SIGKILL test finds the
 * device still connected; with the sweep not scoped to the node, the two-instance test finds the other instance's
 * device disconnected.
 */
@Tag("embedded-broker")
@Tag("long")
class EmbeddedRestartIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String KEY = "it";
    private static final String TOKEN = "it-token";
    private static final Duration HEARTBEAT = Duration.ofSeconds(2);

    @Test
    void afterSigtermTheDeviceIsDisconnectedByTheServerAtTheStopTimeAndItsReconnectFollows() throws Exception {
        Instance instance = new Instance(Map.of());
        String id = "graceful-" + UUID.randomUUID().toString().substring(0, 8);
        Instant stopping;
        Instant stopped;
        try (PackagedApp app = instance.start()) {
            Mqtt5BlockingClient device = device(instance.brokerPort, id);
            device.connect();
            awaitStatus(app, id, "connected");
            // stored times have milliseconds
            stopping = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            // SIGTERM: the device is still connected when connmon and its broker go
        }
        stopped = Instant.now();
        assertThat(Files.readString(instance.output)).contains("connmon is stopping: 1 client(s) of embedded node");
        // and it closed its PostgreSQL after that, not before
        assertThat(instance.dataDir.resolve("postgres").resolve("postmaster.pid"))
                .doesNotExist();

        try (PackagedApp app = instance.start()) {
            JsonObject state = state(app, id);
            assertDisconnectedByShutdown(state);
            assertThat(Instant.parse(state.getString("lastDisconnectTime"))).isBetween(stopping, stopped);
            assertThat(state.getString("node")).isEqualTo(instance.nodeName()).isNotEqualTo("embedded");
            reconnectFollows(app, instance.brokerPort, id);
        }
    }

    @Test
    void afterSigkillTheDeviceIsDisconnectedByTheServerAtTheLastHeartbeatAndItsReconnectFollows() throws Exception {
        Instance instance = new Instance(Map.of("connmon.embedded.heartbeat", HEARTBEAT.toString()));
        String id = "killed-" + UUID.randomUUID().toString().substring(0, 8);
        PackagedApp first = instance.start();
        Mqtt5BlockingClient device = device(instance.brokerPort, id);
        device.connect();
        awaitStatus(first, id, "connected");
        // a few heartbeats after the connect, so that the last one is not the start's
        Thread.sleep(HEARTBEAT.multipliedBy(3).toMillis());
        first.kill();
        Instant killed = Instant.now();

        try (PackagedApp app = instance.start()) {
            JsonObject state = state(app, id);
            assertDisconnectedByShutdown(state);
            // one heartbeat before the kill at the earliest; a second more for a loaded machine's late timer
            assertThat(Instant.parse(state.getString("lastDisconnectTime")))
                    .isBetween(killed.minus(HEARTBEAT).minusSeconds(1), killed);
            assertThat(Files.readString(instance.output))
                    .contains("connmon stopped unexpectedly; disconnected at the latest");
            reconnectFollows(app, instance.brokerPort, id);
        }
    }

    /**
     * Two instances on one PostgreSQL, each with its embedded broker: the first one's stop and crash end the
     * connections through its own broker only.
     */
    @Test
    void aSecondInstancesClientsAreUntouchedByTheFirstInstancesRestarts() throws Exception {
        Path pg = Files.createTempDirectory("restart-shared-pg");
        try (EmbeddedDatabase database = EmbeddedDatabase.start(pg.resolve("pg"), true)) {
            Map<String, String> shared = new LinkedHashMap<>(TestDatabases.remember(database.datasourceConfig()));
            shared.put("connmon.embedded.heartbeat", HEARTBEAT.toString());
            Instance first = new Instance(shared);
            Instance second = new Instance(shared);
            String mine = "first-" + UUID.randomUUID().toString().substring(0, 8);
            String theirs = "second-" + UUID.randomUUID().toString().substring(0, 8);
            try (PackagedApp other = second.start()) {
                device(second.brokerPort, theirs).connect();
                awaitStatus(other, theirs, "connected");

                PackagedApp app = first.start();
                device(first.brokerPort, mine).connect();
                awaitStatus(app, mine, "connected");
                assertThat(first.nodeName()).isNotEqualTo(second.nodeName());

                app.close();
                app = first.start();
                assertDisconnectedByShutdown(state(app, mine));
                assertThat(state(other, theirs).getString("connectionStatus")).isEqualTo("connected");

                device(first.brokerPort, mine).connect();
                awaitStatus(app, mine, "connected");
                Thread.sleep(HEARTBEAT.multipliedBy(2).toMillis());
                app.kill();
                try (PackagedApp restarted = first.start()) {
                    assertDisconnectedByShutdown(state(restarted, mine));
                    JsonObject untouched = state(other, theirs);
                    assertThat(untouched.getString("connectionStatus")).isEqualTo("connected");
                    assertThat(untouched.getString("lastDisconnectTime")).isNull();
                    assertThat(untouched.getString("node")).isEqualTo(second.nodeName());
                }
            }
        }
    }

    /** One connmon instance: its data directory and broker port, the same at every start. */
    private static final class Instance {
        final Path dataDir;
        final int brokerPort = PackagedApp.freePort();
        final Path output;
        final Map<String, String> config = new LinkedHashMap<>();

        Instance(Map<String, String> extra) throws Exception {
            dataDir = Files.createTempDirectory("connmon-restart");
            output = dataDir.resolve("connmon.out");
            config.putAll(extra);
            config.put("connmon.embedded.data-dir", dataDir.toString());
            config.put("connmon.embedded.broker-port", Integer.toString(brokerPort));
            config.put("quarkus.security.users.embedded.users." + KEY, TOKEN);
            config.put("quarkus.security.users.embedded.roles." + KEY, "reader");
        }

        PackagedApp start() {
            return PackagedApp.start(config, List.of(), output);
        }

        String nodeName() throws Exception {
            return Files.readString(dataDir.resolve(EmbeddedNode.NAME_FILE)).strip();
        }
    }

    private static void assertDisconnectedByShutdown(JsonObject state) {
        assertThat(state.getString("connectionStatus")).isEqualTo("disconnected");
        assertThat(state.getString("lastDisconnectInitiator")).isEqualTo("server");
        assertThat(state.getInteger("lastDisconnectReasonCode")).isEqualTo(0x8B);
        assertThat(state.getString("lastDisconnectReason")).isEqualTo("Server shutting down");
    }

    /** The device connects again: connected, and its log reads connect, shutdown disconnect, connect. */
    private static void reconnectFollows(PackagedApp app, int brokerPort, String id) throws Exception {
        JsonObject disconnected = state(app, id);
        device(brokerPort, id).connect();
        awaitStatus(app, id, "connected");
        List<JsonObject> log = log(app, id);
        assertThat(log).extracting(e -> e.getString("event")).containsExactly("connected", "disconnected", "connected");
        JsonObject shutdown = log.get(1);
        assertThat(shutdown.getString("initiator")).isEqualTo("server");
        assertThat(shutdown.getInteger("reasonCode")).isEqualTo(0x8B);
        assertThat(shutdown.getString("timestamp")).isEqualTo(disconnected.getString("lastDisconnectTime"));
        assertThat(Instant.parse(log.get(0).getString("timestamp")))
                .isBefore(Instant.parse(shutdown.getString("timestamp")));
        assertThat(Instant.parse(log.get(2).getString("timestamp")))
                .isAfter(Instant.parse(shutdown.getString("timestamp")));
    }

    private static Mqtt5BlockingClient device(int brokerPort, String clientId) {
        return MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(brokerPort)
                .buildBlocking();
    }

    private static void awaitStatus(PackagedApp app, String id, String status) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    JsonObject state = get(app, Api.STATES + "/" + Api.segment(id), JsonObject.class);
                    assertThat(state == null ? null : state.getString("connectionStatus"))
                            .isEqualTo(status);
                });
    }

    private static JsonObject state(PackagedApp app, String id) throws Exception {
        JsonObject state = get(app, Api.STATES + "/" + Api.segment(id), JsonObject.class);
        assertThat(state).as("state of " + id).isNotNull();
        return state;
    }

    /** The client's log, oldest first. */
    private static List<JsonObject> log(PackagedApp app, String id) throws Exception {
        JsonArray entries = get(app, Api.LOGS + "?clientId=" + Api.segment(id), JsonArray.class);
        List<JsonObject> oldestFirst = new ArrayList<>();
        for (int i = entries.size() - 1; i >= 0; i--) {
            oldestFirst.add(entries.getJsonObject(i));
        }
        return oldestFirst;
    }

    /** The body of a GET, or null for a 404. */
    private static <T> T get(PackagedApp app, String path, Class<T> type) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(app.baseUrl() + path))
                        .header(
                                "Authorization",
                                "Basic "
                                        + Base64.getEncoder()
                                                .encodeToString((KEY + ":" + TOKEN).getBytes(StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return null;
        }
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return type == JsonObject.class
                ? type.cast(new JsonObject(response.body()))
                : type.cast(new JsonArray(response.body()));
    }
}
