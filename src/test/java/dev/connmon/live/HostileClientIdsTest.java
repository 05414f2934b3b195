package dev.connmon.live;

import static dev.connmon.support.Api.state;
import static dev.connmon.support.Events.connected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.connmon.lifecycle.ClientIds;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.SseClient;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Client ids with every character that means something to a URL, a topic, JSON, SQL or a shell, and the longest id
 * connmon accepts, come back unchanged from REST, SSE and the MQTT monitoring topic.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class HostileClientIdsTest {
    private static final List<String> SUFFIXES = List.of(
            "/",
            "a/b/c",
            "+",
            "#",
            "%",
            "%2F",
            "%%25",
            "'",
            "\"",
            "`",
            "\\",
            "with space",
            "trailing ",
            "  ",
            "tab\there",
            "line\nbreak",
            "ünïcødé",
            "emoji 😀",
            "日本語",
            "ﬀ",
            "\u200B",
            "?q=1&r=2",
            ";x",
            "..",
            "../..",
            "<b>",
            "{}",
            "[]",
            "$SYS",
            "*",
            ":",
            "d:org:type:id",
            "\u007F",
            "\u0085",
            "\u0001",
            "\uFEFF");

    @Test
    void everyIdRoundTripsThroughRestSseAndTheMonitoringTopic() {
        String prefix = "hostile-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        List<String> ids = new ArrayList<>();
        SUFFIXES.forEach(suffix -> ids.add(prefix + suffix));
        // the longest id accepted, of two-byte characters
        String longest = prefix + "é".repeat((ClientIds.MAX_UTF8_BYTES - prefix.length()) / 2);
        ids.add(longest);
        assertThat(longest.getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(ClientIds.MAX_UTF8_BYTES)
                .isGreaterThan(ClientIds.MAX_UTF8_BYTES - 2);

        Map<String, String> monitored = new ConcurrentHashMap<>();
        Mqtt5BlockingClient watcher = TestMqtt.monitorReader("hostile-watcher-" + UUID.randomUUID());
        watcher.toAsync()
                .subscribeWith()
                .topicFilter("connmon/clients/#")
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback((Mqtt5Publish p) -> monitored.put(
                        p.getTopic().toString(), new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send()
                .join();
        try (SseClient stream =
                SseClient.open(Api.STATES + "?clientIdPrefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8))) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !stream.named(":").isEmpty());
            Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("hostile-" + UUID.randomUUID());
            Instant t0 = Instant.parse("2026-11-26T11:00:00Z");
            for (String id : ids) {
                TestMqtt.publishEvent(
                        publisher, "hostile", connected(id, t0, "c1").encode());
            }
            publisher.disconnect().join();

            // REST: each id found by its percent-encoded path, and in the list
            for (String id : ids) {
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> state(id).statusCode(200));
                assertThat(state(id).extract().jsonPath().getString("id")).isEqualTo(id);
            }
            List<String> listed = Api.asReader()
                    .queryParam("clientIdPrefix", prefix)
                    .queryParam("_limit", 1000)
                    .when()
                    .get(Api.STATES)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getList("results.id");
            assertThat(new TreeSet<>(listed)).isEqualTo(new TreeSet<>(ids));

            // SSE: one state event per id, the id intact in the JSON data
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> stream.named("state").size() >= ids.size());
            Set<String> streamed = new TreeSet<>();
            stream.named("state").forEach(e -> streamed.add(new JsonObject(e.data()).getString("id")));
            assertThat(streamed).isEqualTo(new TreeSet<>(ids));
        }

        // the monitoring topic: the id escaped into one topic level, unescaped back to itself, and in the payload
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ids)
                        .as("ids without a monitoring message")
                        .filteredOn(id -> monitored.values().stream()
                                .noneMatch(json -> id.equals(new JsonObject(json).getString("id"))))
                        .isEmpty());
        watcher.disconnect();
        for (String id : ids) {
            String topic = monitored.entrySet().stream()
                    .filter(e -> id.equals(new JsonObject(e.getValue()).getString("id")))
                    .findFirst()
                    .orElseThrow()
                    .getKey();
            assertThat(topic).startsWith("connmon/clients/").endsWith("/state");
            String level = topic.substring("connmon/clients/".length(), topic.length() - "/state".length());
            assertThat(level).doesNotContain("/", "+", "#");
            assertThat(URLDecoder.decode(level.replace("+", "%2B"), StandardCharsets.UTF_8))
                    .isEqualTo(id);
        }
    }
}
