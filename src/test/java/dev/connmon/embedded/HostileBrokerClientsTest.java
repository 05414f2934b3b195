package dev.connmon.embedded;

import static dev.connmon.support.Api.state;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.lifecycle.ClientIds;
import dev.connmon.support.RawMqtt;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Clients that attack the embedded broker (docs/api.md §8): taking connmon's own client ids, using a device token for
 * another device, oversized packets, user names and client ids; and the answers Watson clients expect.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("embedded-broker")
class HostileBrokerClientsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MQTT_311 = 4;
    private static final int MQTT_5 = 5;
    private static final int RETURN_CODE_NOT_AUTHORIZED = 5;

    @Inject
    Pool pool;

    private static String run() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String ingestClientId() {
        return ConfigProvider.getConfig().getValue("connmon.mqtt.client-id", String.class);
    }

    private static int connack(int protocol, String clientId, String username, String password) throws IOException {
        return RawMqtt.connackCode(TestMqtt.host(), TestMqtt.port(), protocol, clientId, username, password);
    }

    @Test
    void clientsLoopingOnConnmonsOwnIdsAreRefusedWhileEveryDeviceIsRecordedAndMonitored() throws Exception {
        String run = run();
        Mqtt5BlockingClient reader = TestMqtt.monitorReader("a:acme:watch-" + run);
        Set<String> monitored = ConcurrentHashMap.newKeySet();
        reader.toAsync()
                .subscribeWith()
                .topicFilter("connmon/clients/+/state")
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> {
                    String topic = p.getTopic().toString();
                    if (topic.contains("sensor:own-ids-" + run)) {
                        monitored.add(topic);
                    }
                })
                .send()
                .join();

        List<String> ownIds = List.of(ingestClientId(), ingestClientId() + "-monitor");
        AtomicBoolean stop = new AtomicBoolean();
        List<Integer> answers = new CopyOnWriteArrayList<>();
        List<Integer> readiness = new CopyOnWriteArrayList<>();
        List<Thread> hostile = new ArrayList<>();
        for (String ownId : ownIds) {
            // anonymous, and as a device user with a good password
            for (String user : new String[] {null, ServicesResource.DEVICE_USER}) {
                hostile.add(started(() -> {
                    while (!stop.get()) {
                        try {
                            answers.add(connack(
                                    MQTT_5, ownId, user, user == null ? null : ServicesResource.DEVICE_PASSWORD));
                            Thread.sleep(20);
                        } catch (IOException e) {
                            answers.add(-1);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }));
            }
        }
        Thread probe = started(() -> {
            while (!stop.get()) {
                readiness.add(given().when().get("/q/health/ready").statusCode());
            }
        });
        List<String> devices = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                String id = "d:acme:sensor:own-ids-" + run + "-" + i;
                devices.add(id);
                TestMqtt.v5(id).connect();
                Thread.sleep(100);
            }
            for (String id : devices) {
                await().atMost(WAIT)
                        .untilAsserted(() -> state(id).statusCode(200).body("connectionStatus", equalTo("connected")));
            }
            await().atMost(WAIT).untilAsserted(() -> assertThat(monitored).hasSameSizeAs(devices));
        } finally {
            stop.set(true);
            for (Thread thread : hostile) {
                thread.join();
            }
            probe.join();
        }
        assertThat(answers).hasSizeGreaterThan(20).containsOnly(0x87);
        assertThat(readiness).isNotEmpty().containsOnly(200);
        // each refusal is a failed connect in the log, as any other refusal
        for (String ownId : ownIds) {
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(failedConnects(ownId)).isNotEmpty());
        }
        reader.disconnect();
    }

    @Test
    void aUserBoundToClientIdsConnectsWithThoseOnly() throws Exception {
        String other = "d:acme:pump:18-" + run();
        assertThat(connack(MQTT_5, other, ServicesResource.BOUND_USER, ServicesResource.BOUND_PASSWORD))
                .isEqualTo(0x87);
        assertThat(connack(MQTT_311, other, ServicesResource.BOUND_USER, ServicesResource.BOUND_PASSWORD))
                .isEqualTo(RETURN_CODE_NOT_AUTHORIZED);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(failedConnects(other))
                        .hasSize(2)
                        .allSatisfy(row -> {
                            assertThat(row.getInteger("reason_code")).isEqualTo(0x87);
                            assertThat(row.getString("username")).isEqualTo(ServicesResource.BOUND_USER);
                        }));

        // its own id, and one its glob allows
        String own = "d:acme:pump:17";
        String matching = "d:acme:pump:17-" + run();
        assertThat(connack(MQTT_5, own, ServicesResource.BOUND_USER, ServicesResource.BOUND_PASSWORD))
                .isZero();
        assertThat(connack(MQTT_311, matching, ServicesResource.BOUND_USER, ServicesResource.BOUND_PASSWORD))
                .isZero();
        await().atMost(WAIT).untilAsserted(() -> state(matching).statusCode(200).body("username", equalTo("pump-17")));
    }

    /** IBM's SDKs retry a refused login forever unless the CONNACK says 5, as Watson IoT answered bad credentials. */
    @Test
    void badCredentialsAreNotAuthorizedForMqtt311AndBadUserNameOrPasswordForMqtt5() throws Exception {
        String v3 = "d:acme:sensor:bad-token-v3-" + run();
        String v5 = "d:acme:sensor:bad-token-v5-" + run();
        assertThat(connack(MQTT_311, v3, ServicesResource.DEVICE_USER, "wrong")).isEqualTo(RETURN_CODE_NOT_AUTHORIZED);
        assertThat(connack(MQTT_5, v5, ServicesResource.DEVICE_USER, "wrong")).isEqualTo(0x86);
        // the log keeps why, whatever the protocol
        for (String id : List.of(v3, v5)) {
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(failedConnects(id))
                            .singleElement()
                            .satisfies(row ->
                                    assertThat(row.getInteger("reason_code")).isEqualTo(0x86)));
        }
    }

    @Test
    void aHugeUserNameIsRefusedAndRecordedCut() throws Exception {
        String id = "d:acme:sensor:long-user-" + run();
        String username = "u".repeat(11 * 1024);
        assertThat(connack(MQTT_5, id, username, "pw")).isEqualTo(0x86);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(failedConnects(id))
                        .singleElement()
                        .satisfies(row -> assertThat(row.getString("username"))
                                .isEqualTo("u".repeat(Authenticator.MAX_USER_NAME_BYTES))));
    }

    /** An id ingestion cannot store would be a device nobody sees: the broker refuses it, by the same limit. */
    @Test
    void aClientIdOverTheStoredLimitInBytesIsRefused() throws Exception {
        String id = "é".repeat(ClientIds.MAX_UTF8_BYTES / 2 + 1);
        assertThat(id.length()).isLessThanOrEqualTo(ClientIds.MAX_UTF8_BYTES);
        assertThat(connack(MQTT_5, id, null, null)).isEqualTo(0x85);
        assertThat(connack(MQTT_311, id, null, null)).isEqualTo(2);
        String longest = "é".repeat(ClientIds.MAX_UTF8_BYTES / 2);
        assertThat(connack(MQTT_5, longest, null, null)).isZero();
        await().atMost(WAIT).untilAsserted(() -> state(longest).statusCode(200));
    }

    @Test
    void aPacketOverTheSizeLimitClosesTheConnectionAtOnce() throws Exception {
        String id = "d:acme:sensor:big-" + run();
        try (RawMqtt raw = RawMqtt.connect5(TestMqtt.host(), TestMqtt.port(), id, 60)) {
            // announces 100 MiB and sends 64 KiB: a broker without a limit waits for (and buffers) the rest
            raw.startPublish("big/" + id, 100 << 20, 64 << 10);
            assertThat(raw.awaitServerClose()).isTrue();
        }
        await().atMost(WAIT)
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectReasonCode", equalTo(0x95)));
        // a packet under the limit goes through
        Mqtt5BlockingClient device = TestMqtt.v5(id);
        device.connect();
        device.publishWith()
                .topic("big/" + id)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[128 * 1024])
                .send();
        device.disconnect();
    }

    private static Thread started(Runnable body) {
        Thread thread = new Thread(body, "hostile-client");
        thread.start();
        return thread;
    }

    private List<Row> failedConnects(String clientId) {
        List<Row> rows = new ArrayList<>();
        pool.preparedQuery("SELECT reason_code, username FROM connection_log WHERE client_id = $1"
                        + " AND event = 'connect_failed'")
                .execute(Tuple.of(clientId))
                .await()
                .atMost(Duration.ofSeconds(10))
                .forEach(rows::add);
        return rows;
    }
}
