package dev.connmon.ingest;

import static dev.connmon.support.Api.asAdmin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.lifecycle.dialect.DecodeException;
import dev.connmon.lifecycle.dialect.Dialect;
import dev.connmon.lifecycle.dialect.DialectRegistry;
import dev.connmon.query.RejectedMessage;
import dev.connmon.support.Api;
import dev.connmon.support.Events;
import dev.connmon.support.HostilePayloads;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Hostile payloads published through the real broker into the running pipeline, interleaved with good events: the
 * channel keeps flowing (every good event is stored), every bad one is counted once and kept at
 * {@code GET /api/v0002/rejected} with a reason, and an oversized valid event is refused, not stored.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class HostilePayloadsEndToEndTest {
    static final int HOSTILE = 300;
    static final int GOOD = 100;
    static final long SEED = Long.getLong("test.fuzz.seed", System.nanoTime());

    @Inject
    DialectRegistry dialects;

    @Inject
    MeterRegistry metrics;

    @Inject
    Pool pool;

    @Test
    void hostilePayloadsThroughTheBrokerAreRejectedAndTheGoodOnesAroundThemStored() {
        Random random = new Random(SEED);
        String run = UUID.randomUUID().toString().substring(0, 8);
        Dialect connmon = dialects.byName("connmon").orElseThrow();
        List<byte[]> originals = HostilePayloadsFuzzTest.FIXTURES.get("connmon").stream()
                .map(HostilePayloadsFuzzTest.Fixture::bytes)
                .toList();

        List<byte[]> hostile = new ArrayList<>();
        // a valid event, but too large: refused by its size before it is parsed, so its client never appears
        String oversizedId = "e2e-oversized-" + run;
        hostile.add(Events.connected(oversizedId, Instant.parse("2026-11-26T06:00:00Z"), "big")
                .put("padding", "p".repeat(HostilePayloadsFuzzTest.MAX_PAYLOAD))
                .encode()
                .getBytes(StandardCharsets.UTF_8));
        // sender text with NUL that a rejection reason quotes: PostgreSQL text cannot hold U+0000
        hostile.add("{\"event\":\"conn\\u0000ected\",\"clientId\":\"x\",\"time\":1}".getBytes(StandardCharsets.UTF_8));
        hostile.add("{\"event\":\"connected\",\"clientId\":\"x\",\"time\":\"2026\\u0000\"}"
                .getBytes(StandardCharsets.UTF_8));
        while (hostile.size() < HOSTILE) {
            byte[] payload = HostilePayloads.mutate(random, originals.get(random.nextInt(originals.size())), originals)
                    .payload();
            if (payload.length > HostilePayloadsFuzzTest.MAX_PAYLOAD || !decodes(connmon, payload)) {
                hostile.add(payload);
            }
        }
        List<byte[]> messages = new ArrayList<>(hostile);
        for (int i = 0; i < GOOD; i++) {
            messages.add(Events.connected(
                            "e2e-good-" + run + "-" + i,
                            Instant.parse("2026-11-26T06:00:00Z").plusMillis(i),
                            "c" + i)
                    .encode()
                    .getBytes(StandardCharsets.UTF_8));
        }
        Collections.shuffle(messages, random);

        double countedBefore = rejectedCount();
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("hostile-" + run);
        try {
            for (byte[] payload : messages) {
                publisher
                        .publishWith()
                        .topic(TestMqtt.eventTopicPrefix() + "e2e-" + run)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(payload)
                        .send()
                        .join();
            }
        } finally {
            publisher.disconnect().join();
        }

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(storedClients("e2e-good-" + run + "-"))
                        .as("seed %d", SEED)
                        .isEqualTo(GOOD));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(rejectedCount() - countedBefore)
                        .as("seed %d", SEED)
                        .isEqualTo(HOSTILE));
        assertThat(storedClients(oversizedId)).isZero();

        List<RejectedMessage> rejected = List.of(asAdmin()
                .queryParam("_limit", HOSTILE)
                .when()
                .get(Api.REJECTED)
                .then()
                .statusCode(200)
                .extract()
                .as(RejectedMessage[].class));
        assertThat(rejected).hasSize(HOSTILE).allSatisfy(r -> {
            assertThat(r.topic()).isEqualTo(TestMqtt.eventTopicPrefix() + "e2e-" + run);
            assertThat(r.dialect()).isEqualTo("connmon");
            assertThat(r.reason())
                    .isNotBlank()
                    .doesNotStartWith("decoder failed")
                    .doesNotStartWith("the database refused");
        });
        List<String> sent = new ArrayList<>();
        hostile.forEach(p -> sent.add(Base64.getEncoder()
                .encodeToString(Arrays.copyOf(p, Math.min(p.length, MessageDecoder.MAX_STORED_PAYLOAD)))));
        assertThat(rejected).extracting(RejectedMessage::payloadBase64).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(rejected)
                .filteredOn(r -> r.payloadSize() > HostilePayloadsFuzzTest.MAX_PAYLOAD)
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.reason()).contains("exceeds the limit of 65536"));
    }

    private static boolean decodes(Dialect dialect, byte[] payload) {
        try {
            dialect.decode("connmon/events/x", payload);
            return true;
        } catch (DecodeException e) {
            return false;
        }
    }

    private long storedClients(String prefix) {
        return pool.preparedQuery("SELECT count(*) AS n FROM client_state WHERE starts_with(client_id, $1)")
                .execute(Tuple.of(prefix))
                .await()
                .atMost(Duration.ofSeconds(10))
                .iterator()
                .next()
                .getLong("n");
    }

    private double rejectedCount() {
        return metrics.find("connmon.messages.rejected").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }
}
