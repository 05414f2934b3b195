package dev.connmon.kafka;

import static dev.connmon.support.Api.state;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static dev.connmon.support.Events.event;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.connmon.support.Api;
import dev.connmon.support.KafkaResource;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.Stored;
import dev.connmon.support.TestKafka;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Lifecycle records through a real Kafka broker: every payload shape, in any order, twice, or unreadable. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@TestProfile(KafkaResource.Profile.class)
class KafkaIngestTest {
    private static final Instant T0 = Instant.parse("2026-11-26T06:00:00.000Z");
    private static final String TOPIC = KafkaResource.LIFECYCLE_TOPIC;

    @Inject
    Pool pool;

    TestKafka kafka;

    private static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private void send(String clientId, JsonObject event) {
        kafka.send(TOPIC, clientId, event.encode());
    }

    @Test
    void canonicalEventsGiveTheState() {
        String id = newId("canonical");
        send(id, connected(id, T0, "c1"));
        send(id, event("published", id, T0.plusSeconds(1)).put("topic", "t/1"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .statusCode(200)
                        .body("connectionStatus", equalTo("connected"))
                        .body("lastActivityEvent", equalTo("mqttPublish"))
                        .body("ipAddress", equalTo("192.0.2.10"))
                        .body("node", equalTo("broker-1")));
        send(id, disconnected(id, T0.plusSeconds(5), "c1", "client", 0));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("client")));
    }

    /** EMQX's rule engine events as its Kafka sink sends them (the rule's SELECT *). */
    @Test
    void emqxRuleEventsGiveTheState() {
        String id = newId("emqx");
        long connectedAt = T0.toEpochMilli();
        send(
                id,
                new JsonObject()
                        .put("event", "client.connack")
                        .put("clientid", id)
                        .put("reason_code", "success")
                        .put("timestamp", connectedAt - 1));
        send(
                id,
                new JsonObject()
                        .put("event", "client.connected")
                        .put("clientid", id)
                        .put("username", "u1")
                        .put("peername", "192.0.2.44:50112")
                        .put("proto_ver", 5)
                        .put("keepalive", 60)
                        .put("clean_start", true)
                        .put("connected_at", connectedAt)
                        .put("node", "emqx@10.0.0.1")
                        .put("timestamp", connectedAt));
        send(
                id,
                new JsonObject()
                        .put("event", "session.subscribed")
                        .put("clientid", id)
                        .put("topic", "cmd/" + id)
                        .put("timestamp", connectedAt + 1000));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .statusCode(200)
                        .body("connectionStatus", equalTo("connected"))
                        .body("ipAddress", equalTo("192.0.2.44"))
                        .body("username", equalTo("u1"))
                        .body("mqttConnectProtocol", equalTo("5.0"))
                        .body("node", equalTo("emqx@10.0.0.1"))
                        .body("lastActivityEvent", equalTo("mqttSubscribe")));
        send(
                id,
                new JsonObject()
                        .put("event", "client.disconnected")
                        .put("clientid", id)
                        .put("reason", "keepalive_timeout")
                        .put("connected_at", connectedAt)
                        .put("disconnected_at", connectedAt + 90_000)
                        .put("node", "emqx@10.0.0.1"));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("server"))
                        .body("lastDisconnectReasonCode", equalTo(0x8D)));

        String refused = newId("emqx-refused");
        send(
                refused,
                new JsonObject()
                        .put("event", "client.connack")
                        .put("clientid", refused)
                        .put("reason_code", "not_authorized")
                        .put("timestamp", connectedAt));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(Stored.logRows(pool, refused))
                        .singleElement()
                        .asString()
                        .contains("connect_failed"));
    }

    /** AWS IoT lifecycle JSON, as a rule's Kafka action sends it. */
    @Test
    void awsLifecycleEventsGiveTheState() {
        String id = newId("aws");
        send(
                id,
                new JsonObject()
                        .put("clientId", id)
                        .put("timestamp", T0.toEpochMilli())
                        .put("eventType", "connected")
                        .put("sessionIdentifier", "00000000-0000-0000-0000-000000000000")
                        .put("principalIdentifier", "arn:aws:iam::123456789012:user/device")
                        .put("ipAddress", "192.0.2.55")
                        .put("versionNumber", 0));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .statusCode(200)
                        .body("connectionStatus", equalTo("connected"))
                        .body("ipAddress", equalTo("192.0.2.55")));
        send(
                id,
                new JsonObject()
                        .put("clientId", id)
                        .put("timestamp", T0.plusSeconds(30).toEpochMilli())
                        .put("eventType", "disconnected")
                        .put("clientInitiatedDisconnect", true)
                        .put("disconnectReason", "CLIENT_INITIATED_DISCONNECT")
                        .put("sessionIdentifier", "00000000-0000-0000-0000-000000000000")
                        .put("versionNumber", 0));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id)
                        .body("connectionStatus", equalTo("disconnected"))
                        .body("lastDisconnectInitiator", equalTo("client")));
    }

    /** Shuffled, duplicated and keyless records give the state and log that the history in order gives. */
    @Test
    void shuffledDuplicatedAndKeylessRecordsGiveTheSameStateAndLog() {
        String reference = newId("reference");
        history(reference).forEach(e -> send(reference, e));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(Stored.logRows(pool, reference)).hasSize(4));
        Map<String, Object> expected = Stored.stateWithoutId(reference);
        List<String> expectedLog = Stored.logRows(pool, reference);

        Random random = new Random(7);
        for (int round = 0; round < 4; round++) {
            String id = newId("shuffled");
            List<JsonObject> events = new ArrayList<>(history(id));
            events.addAll(history(id));
            Collections.shuffle(events, random);
            // without a key, records land on any partition: another order again
            events.forEach(e -> kafka.send(TOPIC, random.nextBoolean() ? id : null, e.encode()));
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(Stored.logRows(pool, id)).hasSize(4));
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(Stored.stateWithoutId(id)).isEqualTo(expected));
            assertThat(Stored.logRows(pool, id)).isEqualTo(expectedLog);
        }
    }

    @Test
    void unreadableRecordsAreRejectedKeptAndDoNotStopTheRecordsAfterThem() {
        String id = newId("after-garbage");
        kafka.send(TOPIC, "garbage", "{not json");
        kafka.send(TOPIC, "garbage", (byte[]) null);
        kafka.send(TOPIC, "garbage", new byte[] {(byte) 0xff, 0, 1});
        kafka.send(TOPIC, "garbage", "{\"hello\":\"world\"}");
        kafka.send(TOPIC, id, event("exploded", id, T0).encode());
        kafka.send(
                TOPIC,
                id,
                new JsonObject()
                        .put("event", "client.connected")
                        .put("connected_at", 1)
                        .encode());
        send(id, connected(id, T0, "ok"));

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id).statusCode(200).body("connectionStatus", equalTo("connected")));
        List<String> rejected = new ArrayList<>();
        pool.query("SELECT reason, topic FROM rejected_message WHERE source = 'kafka' ORDER BY id")
                .execute()
                .await()
                .indefinitely()
                .forEach(row -> rejected.add(row.getString("reason") + " @ " + row.getString("topic")));
        assertThat(rejected)
                .anyMatch(r -> r.startsWith("no dialect recognises the payload @ " + TOPIC + "/"))
                .anyMatch(r -> r.startsWith("unknown event 'exploded'"))
                .anyMatch(r -> r.startsWith("no client id in the payload or the topic"));
        assertThat(rejected.stream().filter(r -> r.startsWith("no dialect recognises")))
                .hasSizeGreaterThanOrEqualTo(4);
        Api.asAdmin()
                .when()
                .get(Api.REJECTED)
                .then()
                .statusCode(200)
                .body("topic", hasItem(org.hamcrest.Matchers.startsWith(TOPIC + "/")));
    }

    /** MQTT and Kafka side by side: one client's connect through the broker, its disconnect through Kafka. */
    @Test
    void mqttAndKafkaFeedOneState() {
        String id = newId("both");
        var publisher = TestMqtt.eventPublisher("publisher-" + UUID.randomUUID());
        try {
            TestMqtt.publishEvent(publisher, id, connected(id, T0, "c1").encode());
        } finally {
            publisher.disconnect().join();
        }
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id).statusCode(200).body("connectionStatus", equalTo("connected")));
        send(id, disconnected(id, T0.plusSeconds(1), "c1", "client", 0));
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> state(id).body("connectionStatus", equalTo("disconnected")));
        assertThat(Stored.logRows(pool, id)).hasSize(2);
    }

    @Test
    void offsetsAreCommittedOnceTheRecordsAreStored() {
        String id = newId("offsets");
        send(id, connected(id, T0, "c1"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> state(id).statusCode(200));
        long end = kafka.readAll(TOPIC).size();
        // the throttled strategy commits every few seconds: every stored record's offset is committed
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(kafka.committedOffsets(KafkaResource.GROUP, TOPIC))
                        .isGreaterThanOrEqualTo(end));
    }

    @Test
    void readinessReportsTheKafkaConsumer() {
        String body = given().when()
                .get("/q/health/ready")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(body).contains("lifecycle-kafka");
        given().when()
                .get("/q/health/ready")
                .then()
                .body("checks.name", hasItem("SmallRye Reactive Messaging - readiness check"));
    }

    private static List<JsonObject> history(String id) {
        return List.of(
                connected(id, T0, "c1"),
                event("published", id, T0.plusMillis(500)).put("topic", "t/1"),
                disconnected(id, T0.plusSeconds(10), "c1", "network", 0x80),
                connected(id, T0.plusSeconds(20), "c2"),
                event("subscribed", id, T0.plusSeconds(21)),
                disconnected(id, T0.plusSeconds(30), "c2", "server", 0x8E));
    }
}
