package dev.connmon.embedded;

import static dev.connmon.support.Api.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.connmon.ingest.InProcessLifecycle;
import dev.connmon.support.Api;
import dev.connmon.support.DatabaseHold;
import dev.connmon.support.RawMqtt;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real MQTT 3.1.1 and 5 clients on the embedded broker, observed through the REST API. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("embedded-broker")
class EmbeddedBrokerLifecycleTest {

    @Inject
    Pool pool;

    private static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void mqtt5ConnectIsVisibleAndDisconnectReasonCodeIsRecorded() {
        String id = newId("d:acme:sensor");
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        client.connect();

        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(() -> state(id).statusCode(200).body("connectionStatus", equalTo("connected")));
        state(id)
                .body("clientType", equalTo("device"))
                .body("mqttConnectProtocol", equalTo("5.0"))
                .body("ipAddress", equalTo("127.0.0.1"))
                .body("lastActivityEvent", equalTo("mqttConnect"))
                .body("lastDisconnectTime", nullValue());

        client.disconnectWith()
                .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
                .send();

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("client"))
                        .body("lastDisconnectReasonCode", equalTo(4))
                        .body("lastDisconnectReason", equalTo("Disconnect with Will Message"))
                        .body("lastActivityEvent", equalTo("mqttDisconnect")));
    }

    /**
     * The broker runs in connmon's JVM: its events reach the pipeline in-process, none through the broker's queue
     * for connmon's session, and each is stored once.
     */
    @Test
    void eventsAreTakenInProcessAndStoredOnce() {
        String prefix = newId("twin") + "-";
        double takenBefore = inProcess("taken");
        double notTakenBefore = inProcess("left-to-mqtt");
        connectAndDisconnect(prefix, 50);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertStored(prefix, 50));
        assertThat(inProcess("taken") - takenBefore).isGreaterThanOrEqualTo(100);
        assertThat(inProcess("left-to-mqtt") - notTakenBefore).isZero();
    }

    /**
     * More events than the pipeline asks for (three batches of the test profile's 500: two being written, one forming)
     * while the database holds connmon's writes for a moment: the events past the demand wait in-process until the
     * batches commit, and none goes through the broker's disk queue for connmon's session.
     */
    @Test
    void eventsBeyondThePipelinesDemandWaitInProcess() {
        String prefix = newId("storm") + "-";
        int devices = 900;
        double leftBefore = inProcess("left-to-mqtt");
        double lateBefore = inProcess("late");
        long start = System.nanoTime();
        try (DatabaseHold hold = DatabaseHold.take(pool)) {
            connectAndDisconnect(prefix, devices);
            // the demand is used up, and the rest of the 1 800 events wait for it
            await().atMost(Duration.ofSeconds(5)).until(() -> Api.metric("connmon_ingest_unacknowledged") >= 1_500);
        }
        Duration held = Duration.ofNanos(System.nanoTime() - start);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertStored(prefix, devices));
        // past the broker's wait, an event would go to its queue as well: only a machine far slower than CI's
        assumeTrue(held.toMillis() < InProcessLifecycle.COMMIT_WAIT_MS - 1_000, "the storm took " + held);
        assertThat(inProcess("left-to-mqtt") - leftBefore).isZero();
        assertThat(inProcess("late") - lateBefore).isZero();
    }

    /**
     * With the database holding connmon's writes, events taken in-process are not committed in time: the broker
     * queues them for connmon's session as well, and once the database moves every event is stored once.
     */
    @Test
    @Tag("long") // mostly waiting out the broker's commit wait
    void eventsNotCommittedInTimeAreQueuedByTheBrokerAsWell() throws InterruptedException {
        String prefix = newId("late") + "-";
        double lateBefore = inProcess("late");
        double decodedBefore = decoded();
        try (DatabaseHold hold = DatabaseHold.take(pool)) {
            connectAndDisconnect(prefix, 20);
            Thread.sleep(InProcessLifecycle.COMMIT_WAIT_MS + 1_000);
            assertThat(count("SELECT count(*) FROM connection_log WHERE client_id LIKE $1", prefix))
                    .isZero();
        }
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertStored(prefix, 20));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(inProcess("late") - lateBefore).isGreaterThan(0);
            assertThat(Api.metric("connmon_ingest_unacknowledged")).isZero();
        });
        // the queued copies came too (each of the 40 events decoded once in-process and once from the broker's
        // queue), and changed nothing
        assertThat(decoded() - decodedBefore).isGreaterThanOrEqualTo(80);
        assertStored(prefix, 20);
    }

    /** Canonical events connmon has decoded, by whichever path they came. */
    private static double decoded() {
        double value = Api.metric("connmon_events_ingested_total", "dialect=\"connmon\"");
        return Double.isNaN(value) ? 0 : value;
    }

    private static void connectAndDisconnect(String prefix, int devices) {
        List<Mqtt5BlockingClient> clients = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            Mqtt5BlockingClient device = TestMqtt.v5(prefix + i);
            device.connect();
            clients.add(device);
        }
        clients.forEach(Mqtt5BlockingClient::disconnect);
    }

    /** A connect and a disconnect per device, each logged once, and every device disconnected by itself. */
    private void assertStored(String prefix, int devices) {
        assertThat(count("SELECT count(*) FROM connection_log WHERE client_id LIKE $1", prefix))
                .isEqualTo(2L * devices);
        assertThat(count(
                        "SELECT count(*) FROM client_state WHERE client_id LIKE $1 "
                                + "AND connection_status = 'disconnected' AND disconnect_initiator = 'client'",
                        prefix))
                .isEqualTo(devices);
    }

    private static double inProcess(String outcome) {
        double value = Api.metric("connmon_ingest_in_process_total", "outcome=\"" + outcome + "\"");
        return Double.isNaN(value) ? 0 : value;
    }

    private long count(String sql, String prefix) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(prefix + "%"))
                .await()
                .atMost(Duration.ofSeconds(10))
                .iterator()
                .next()
                .getLong(0);
    }

    @Test
    void deviceThatConnectedBeforeConnmonSubscribedIsKnown() {
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(
                        () -> state("early-bird").statusCode(200).body("connectionStatus", equalTo("connected")));
    }

    @Test
    void clientIdsTooLongToStoreAreRefusedAtConnect() {
        Mqtt5BlockingClient client = TestMqtt.v5("x".repeat(1025));
        assertThatThrownBy(client::connect)
                .isInstanceOfSatisfying(
                        Mqtt5ConnAckException.class,
                        e -> assertThat(e.getMqttMessage().getReasonCode())
                                .isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID));
    }

    @Test
    void mqtt311DisconnectIsANormalClientDisconnect() {
        String id = newId("v3");
        var client = TestMqtt.v3(id);
        client.connect();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("connected"))
                        .body("mqttConnectProtocol", equalTo("3.1.1")));
        client.disconnect();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("client"))
                        .body("lastDisconnectReasonCode", equalTo(0)));
    }

    @Test
    void droppedSocketIsANetworkDisconnect() throws Exception {
        String id = newId("dropper");
        RawMqtt raw = RawMqtt.connect(TestMqtt.host(), TestMqtt.port(), id, 60);
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id).body("connectionStatus", equalTo("connected")));
        raw.close();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("network"))
                        .body("lastDisconnectReasonCode", nullValue())
                        .body("lastDisconnectReason", equalTo("Connection lost")));
    }

    @Test
    void silentClientIsDisconnectedByTheServerForKeepAliveTimeout() throws Exception {
        String id = newId("sleeper");
        try (RawMqtt raw = RawMqtt.connect(TestMqtt.host(), TestMqtt.port(), id, 1)) {
            assertThat(raw.awaitServerClose()).isTrue();
        }
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("server"))
                        .body("lastDisconnectReasonCode", equalTo(0x8D))
                        .body("lastDisconnectReason", equalTo("Keep Alive timeout")));
    }

    @Test
    void takeoverKeepsTheNewConnectionOnline() {
        String id = newId("twin");
        Mqtt5BlockingClient first = TestMqtt.v5(id);
        first.connect();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id).body("connectionStatus", equalTo("connected")));
        Mqtt5BlockingClient second = TestMqtt.v5(id);
        second.connect();

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("connected"))
                        .body("lastDisconnectInitiator", equalTo("server"))
                        .body("lastDisconnectReasonCode", equalTo(0x8E))
                        .body("lastDisconnectReason", equalTo("Session taken over")));
        assertThat(logEvents(id)).containsExactlyInAnyOrder("connected", "connected", "disconnected");
        second.disconnect();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("client")));
    }

    @Test
    void publishAndSubscribeAreActivity() {
        String id = newId("chatty");
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        client.connect();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id).body("lastActivityEvent", equalTo("mqttConnect")));
        client.subscribeWith().topicFilter("chatty/#").send();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id).body("lastActivityEvent", equalTo("mqttSubscribe")));
        await().pollDelay(Duration.ofMillis(1100)).until(() -> true);
        client.publishWith()
                .topic("chatty/temp")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("21.5".getBytes())
                .send();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("lastActivityEvent", equalTo("mqttPublish"))
                        .body("connectionStatus", equalTo("connected")));
        client.disconnect();
    }

    @Test
    void unsubscribeIsActivity() {
        String id = newId("quitter");
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        client.connect();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id).body("lastActivityEvent", equalTo("mqttConnect")));
        client.unsubscribeWith().topicFilter("quitter/#").send();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("lastActivityEvent", equalTo("mqttUnsubscribe"))
                        .body("connectionStatus", equalTo("connected")));
        client.disconnect();
    }

    @Test
    void fiftyPublishesWithinOneSecondAreOneActivityChange() throws Exception {
        String id = newId("chatterbox");
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        client.connect();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id).body("connectionStatus", equalTo("connected")));
        // spaced out so that, without coalescing, the events would land in ingest batches (5 ms) of their own
        long started = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            client.publishWith()
                    .topic("chatter/" + i)
                    .qos(MqttQos.AT_MOST_ONCE)
                    .payload(new byte[] {1})
                    .send();
            Thread.sleep(8);
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(elapsedMs).as("the 50 publishes took %d ms", elapsedMs).isLessThan(1000);
        // the window's last act goes out when the window ends (a disconnect now would be the client's last act)
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id).body("lastActivityEvent", equalTo("mqttPublish")));
        await().pollDelay(Duration.ofMillis(1500)).until(() -> true);
        client.disconnect();

        long publishChanges = pool.preparedQuery("""
                SELECT count(DISTINCT activity_time) FROM state_change
                 WHERE client_id = $1 AND activity_event = 'mqttPublish'""")
                .execute(Tuple.of(id))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
        assertThat(publishChanges).isEqualTo(1);
    }

    /** docs/api.md §9: the burst's last act is stored, not its first (the embedded broker kept mqttSubscribe). */
    @Test
    void connectSubscribeAndPublishWithin100msEndAsThePublish() {
        String id = newId("quick-publisher");
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        long started = System.nanoTime();
        client.connect();
        client.subscribeWith().topicFilter("quick/" + id + "/cmd").send();
        java.time.Instant beforePublish = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        client.publishWith()
                .topic("quick/" + id + "/evt")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(new byte[] {1})
                .send();
        java.time.Instant afterPublish = java.time.Instant.now();
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id).body("lastActivityEvent", equalTo("mqttPublish")));
        io.quarkus.logging.Log.infof(
                "Connect, subscribe, publish in %d ms; mqttPublish seen %d ms after the publish",
                elapsedMs,
                java.time.Duration.between(afterPublish, java.time.Instant.now())
                        .toMillis());
        java.time.Instant activity = java.time.Instant.parse(state(id).extract().path("lastActivityTime"));
        assertThat(activity).isBetween(beforePublish, afterPublish);
        client.disconnect();
        assertThat(elapsedMs)
                .as("connect, subscribe and publish took %d ms", elapsedMs)
                .isLessThan(1000);
    }

    /** A device publishing 50 times a second for 3 s: at most one stored activity per window, the last one last. */
    @Test
    void aChattyDeviceCostsAtMostOneActivityPerWindowAndEndsWithItsLastPublish() throws Exception {
        String id = newId("chatty-50");
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        client.connect();
        long started = System.nanoTime();
        java.time.Instant lastPublish = null;
        for (int i = 0; i < 150; i++) {
            lastPublish = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            client.publishWith()
                    .topic("chatty/" + i)
                    .qos(MqttQos.AT_MOST_ONCE)
                    .payload(new byte[] {1})
                    .send();
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        java.time.Instant last = lastPublish;
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(
                                java.time.Instant.parse(state(id).extract().path("lastActivityTime")))
                        .isAfterOrEqualTo(last));
        long activityChanges = pool.preparedQuery("""
                SELECT count(DISTINCT activity_time) FROM state_change
                 WHERE client_id = $1 AND activity_event = 'mqttPublish'""")
                .execute(Tuple.of(id))
                .await()
                .indefinitely()
                .iterator()
                .next()
                .getLong(0);
        // one window (PT1S) opens at the first publish; every full or partial window stores one
        assertThat(activityChanges)
                .as("%d activity changes in %.1f s", activityChanges, seconds)
                .isBetween(1L, (long) Math.ceil(seconds) + 1);
        io.quarkus.logging.Log.infof(
                "150 publishes in %.1f s: %d stored activities, the last one last", seconds, activityChanges);
        client.disconnect();
    }

    @Test
    void aPacketOnlyServersSendIsAProtocolErrorDisconnectByTheServer() throws Exception {
        String id = newId("rulebreaker");
        try (RawMqtt raw = RawMqtt.connect5(TestMqtt.host(), TestMqtt.port(), id, 60)) {
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> state(id)
                            .body("connectionStatus", equalTo("connected"))
                            .body("mqttConnectProtocol", equalTo("5.0")));
            raw.send(0xD0, 0x00); // PINGRESP
            assertThat(raw.awaitServerClose()).isTrue();
        }
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("server"))
                        .body("lastDisconnectReasonCode", equalTo(0x82))
                        .body("lastDisconnectReason", equalTo("Protocol Error")));
    }

    /** HiveMQ closes a connection that sends a second CONNECT without a DISCONNECT: no reason code to report. */
    @Test
    void aSecondConnectIsAServerDisconnectWithoutReasonCode() throws Exception {
        String id = newId("reconnector");
        try (RawMqtt raw = RawMqtt.connect5(TestMqtt.host(), TestMqtt.port(), id, 60)) {
            await().atMost(Duration.ofSeconds(15))
                    .untilAsserted(() -> state(id).body("connectionStatus", equalTo("connected")));
            raw.connectAgain();
            assertThat(raw.awaitServerClose()).isTrue();
        }
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("server"))
                        .body("lastDisconnectReasonCode", nullValue()));
    }

    @Test
    void wrongPasswordIsAFailedConnectAttempt() {
        String id = newId("intruder");
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        assertThatThrownBy(() -> client.connectWith()
                        .simpleAuth()
                        .username(ServicesResource.DEVICE_USER)
                        .password("wrong".getBytes(StandardCharsets.UTF_8))
                        .applySimpleAuth()
                        .send())
                .isInstanceOfSatisfying(
                        Mqtt5ConnAckException.class,
                        e -> assertThat(e.getMqttMessage().getReasonCode())
                                .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD));

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(logEvents(id)).containsExactly("connect_failed"));
        Row row = pool.preparedQuery("SELECT reason_code, reason, username FROM connection_log WHERE client_id = $1")
                .execute(Tuple.of(id))
                .await()
                .indefinitely()
                .iterator()
                .next();
        assertThat(row.getInteger("reason_code")).isEqualTo(0x86);
        assertThat(row.getString("username")).isEqualTo(ServicesResource.DEVICE_USER);
        // a failed attempt alone creates no client state
        state(id).statusCode(404);
    }

    @Test
    void rightPasswordConnects() {
        String id = newId("alice-device");
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        client.connectWith()
                .simpleAuth()
                .username(ServicesResource.DEVICE_USER)
                .password(ServicesResource.DEVICE_PASSWORD.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("connected"))
                        .body("username", equalTo(ServicesResource.DEVICE_USER)));
        client.disconnect();
    }

    @Test
    void ordinaryClientsCanNeitherSeeNorForgeLifecycleEvents() {
        Mqtt5BlockingClient spy = TestMqtt.v5(newId("spy"));
        spy.connect();
        List<String> seen = new CopyOnWriteArrayList<>();
        spy.toAsync()
                .subscribeWith()
                .topicFilter("#")
                .callback(p -> seen.add(p.getTopic().toString()))
                .send()
                .join();
        assertThatThrownBy(() ->
                        spy.subscribeWith().topicFilter("connmon/events/#").send())
                .isInstanceOfSatisfying(
                        Mqtt5SubAckException.class,
                        e -> assertThat(e.getMqttMessage().getReasonCodes())
                                .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED));

        String observed = newId("observed");
        Mqtt5BlockingClient other = TestMqtt.v5(observed);
        other.connect();
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> state(observed).body("connectionStatus", equalTo("connected")));
        other.publishWith()
                .topic("plain/topic")
                .payload("x".getBytes())
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        await().atMost(Duration.ofSeconds(15)).until(() -> seen.contains("plain/topic"));
        // neither the lifecycle events nor the monitoring topics (docs/api.md §8; WatsonApplicationTest)
        assertThat(seen).noneMatch(topic -> topic.startsWith("connmon/events/"));

        String forged = newId("forged");
        Mqtt5BlockingClient forger = TestMqtt.v5(newId("forger"));
        forger.connect();
        // refused either way: the client reports the PUBACK's error, or fails the call on it
        try {
            var result = forger.publishWith()
                    .topic("connmon/events/" + forged)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(("{\"event\":\"connected\",\"clientId\":\"" + forged
                                    + "\",\"time\":\"2026-01-01T00:00:00Z\"}")
                            .getBytes(StandardCharsets.UTF_8))
                    .send();
            assertThat(result.getError()).isPresent();
        } catch (com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException refused) {
            assertThat(refused.getMqttMessage().getReasonCode().getCode()).isEqualTo(0x87);
        }
        await().pollDelay(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> state(forged).statusCode(404));
        other.disconnect();
        spy.disconnect();
    }

    private List<String> logEvents(String clientId) {
        List<String> events = new ArrayList<>();
        pool.preparedQuery("SELECT event FROM connection_log WHERE client_id = $1 ORDER BY event_time, id")
                .execute(Tuple.of(clientId))
                .await()
                .indefinitely()
                .forEach(row -> events.add(row.getString("event")));
        return events;
    }
}
