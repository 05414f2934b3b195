package dev.connmon.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import dev.connmon.support.PackagedApp;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Mosquitto configuration compose.yaml ships (src/main/docker/mosquitto), run on this machine's Mosquitto with
 * its container paths moved to a temporary directory: no anonymous client, and each user only what the ACL grants.
 * It needs the machine's {@code mosquitto} and {@code mosquitto_passwd}, so it runs with the machine-services suites.
 */
@Tag("machine-services")
class ComposeMosquittoTest {
    private static final Path CONFIG = Path.of("src/main/docker/mosquitto");

    private Path dir;
    private int port;
    private Process mosquitto;
    private final List<Mqtt5BlockingClient> clients = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("compose-mosquitto");
        port = PackagedApp.freePort();
        Files.createDirectories(dir.resolve("data"));
        Files.copy(CONFIG.resolve("acl"), dir.resolve("acl"));
        String conf = Files.readString(CONFIG.resolve("mosquitto.conf"))
                .replace("listener 1883", "listener " + port + " 127.0.0.1")
                .replace("/mosquitto/config/", dir + "/")
                .replace("/mosquitto/data/", dir.resolve("data") + "/");
        // as root, Mosquitto would switch to its own user, which cannot read this temporary directory
        Files.writeString(dir.resolve("mosquitto.conf"), "user root\n" + conf);
        passwd("-c", "connmon", "connmon-secret");
        passwd("monitor", "monitor-secret");
        passwd("device", "device-secret");
        mosquitto = new ProcessBuilder(
                        "mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(10)).until(this::listening);
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(client -> client.disconnect());
        mosquitto.destroy();
        mosquitto.waitFor();
    }

    @Test
    void anonymousClientsAndWrongPasswordsAreRefused() {
        assertThatThrownBy(() -> connect("anonymous", null, null)).isInstanceOf(Mqtt5ConnAckException.class);
        assertThatThrownBy(() -> connect("guesser", "connmon", "change-me")).isInstanceOf(Mqtt5ConnAckException.class);
    }

    @Test
    void connmonReadsTheLogAndOnlyConnmonPublishesMonitoringTopics() throws Exception {
        List<String> connmonSaw = new CopyOnWriteArrayList<>();
        subscribe(connect("connmon", "connmon", "connmon-secret"), "$SYS/broker/log/#", connmonSaw);
        List<String> monitorSaw = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient monitor = connect("dashboard", "monitor", "monitor-secret");
        subscribe(monitor, "connmon/clients/#", monitorSaw);
        subscribe(monitor, "iot-2/type/+/id/+/mon", monitorSaw);
        List<String> deviceSaw = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient device = connect("sensor-1", "device", "device-secret");
        for (String filter : List.of("#", "$SYS/#", "connmon/#", "iot-2/#", "devices/device/#")) {
            subscribe(device, filter, deviceSaw);
        }

        publish(device, "devices/device/temp", "21");
        publish(device, "connmon/clients/victim/state", "forged");
        publish(device, "iot-2/type/t/id/victim/mon", "forged");
        publish(device, "connmon/events/victim", "forged");
        publish(monitor, "connmon/clients/victim/state", "forged");
        Mqtt5BlockingClient connmon = connect("connmon-monitor", "connmon", "connmon-secret");
        publish(connmon, "connmon/clients/sensor-1/state", "real");

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(connmonSaw)
                        .anyMatch(line -> line.contains("New client connected") && line.contains("sensor-1")));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(monitorSaw).contains("connmon/clients/sensor-1/state real"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(deviceSaw).contains("devices/device/temp 21"));
        Thread.sleep(500); // anything refused would have arrived by now
        assertThat(monitorSaw).noneMatch(line -> line.contains("forged"));
        assertThat(deviceSaw).allMatch(line -> line.equals("devices/device/temp 21"));
    }

    private Mqtt5BlockingClient connect(String clientId, String user, String password) {
        Mqtt5BlockingClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildBlocking();
        if (user == null) {
            client.connect();
        } else {
            client.connectWith()
                    .simpleAuth()
                    .username(user)
                    .password(password.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth()
                    .send();
        }
        clients.add(client);
        return client;
    }

    /** Subscribes; a refused filter (SUBACK 0x87) simply delivers nothing. */
    private static void subscribe(Mqtt5BlockingClient client, String filter, List<String> seen) {
        Mqtt5AsyncClient async = client.toAsync();
        async.subscribeWith()
                .topicFilter(filter)
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> seen.add(p.getTopic() + " " + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send()
                .exceptionally(refused -> null)
                .join();
    }

    /** Publishes at QoS 1; a refused publish (PUBACK 0x87) is what some of these expect. */
    private static void publish(Mqtt5BlockingClient client, String topic, String payload) {
        client.toAsync()
                .publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .send()
                .exceptionally(refused -> null)
                .join();
    }

    private void passwd(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mosquitto_passwd", "-b"));
        List<String> rest = new ArrayList<>(List.of(arguments));
        if (rest.get(0).equals("-c")) {
            command.add(rest.remove(0));
        }
        command.add(dir.resolve("passwd").toString());
        command.addAll(rest);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        assertThat(process.waitFor()).as("mosquitto_passwd").isZero();
    }

    private boolean listening() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
