package dev.connmon.kafka;

import static dev.connmon.support.Api.state;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static dev.connmon.support.Events.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.connmon.support.Api;
import dev.connmon.support.KafkaResource;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestKafka;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The state stream out (connmon.kafka.state-topic): the latest record per client id is the client's state as the REST
 * API returns it, and a deleted client's latest record is a tombstone.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@TestProfile(KafkaResource.Profile.class)
class KafkaStateTopicTest {
    private static final Instant T0 = Instant.parse("2026-11-27T08:00:00.000Z");

    TestKafka kafka;

    @Test
    void latestRecordPerClientIsItsRestStateAndADeletionIsATombstone() {
        String prefix = "stream-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> ids = List.of(prefix + "a", prefix + "b", prefix + "c");
        for (String id : ids) {
            kafka.send(
                    KafkaResource.LIFECYCLE_TOPIC, id, connected(id, T0, "c1").encode());
            kafka.send(
                    KafkaResource.LIFECYCLE_TOPIC,
                    id,
                    event("published", id, T0.plusSeconds(1)).encode());
        }
        String disconnectedId = ids.get(1);
        kafka.send(
                KafkaResource.LIFECYCLE_TOPIC,
                disconnectedId,
                disconnected(disconnectedId, T0.plusSeconds(2), "c1", "client", 0)
                        .encode());
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> state(disconnectedId)
                        .statusCode(200)
                        .body("connectionStatus", org.hamcrest.Matchers.equalTo("disconnected")));
        for (String id : ids) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> state(id).statusCode(200));
        }

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, String> latest = latest(ids);
            for (String id : ids) {
                assertThat(latest).containsKey(id);
                assertThat(new JsonObject(latest.get(id)))
                        .as("state record of %s", id)
                        .isEqualTo(restState(id));
            }
        });

        String deleted = ids.get(2);
        Api.asAdmin()
                .urlEncodingEnabled(false)
                .when()
                .delete(Api.STATES + "/" + Api.segment(deleted))
                .then()
                .statusCode(204);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, String> latest = latest(ids);
            assertThat(latest).containsKey(deleted);
            assertThat(latest.get(deleted)).as("tombstone").isNull();
            assertThat(new JsonObject(latest.get(ids.get(0)))).isEqualTo(restState(ids.get(0)));
        });
    }

    /** The latest value per key among these ids (null: a tombstone), in topic order within each partition. */
    private Map<String, String> latest(List<String> ids) {
        Map<String, String> latest = new HashMap<>();
        for (ConsumerRecord<String, String> record : kafka.readAll(KafkaResource.STATE_TOPIC)) {
            if (ids.contains(record.key())) {
                latest.put(record.key(), record.value());
            }
        }
        return latest;
    }

    private static JsonObject restState(String id) {
        return new JsonObject(state(id).statusCode(200).extract().asString());
    }
}
