package dev.connmon.live;

import static dev.connmon.support.Events.connected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.SseClient;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import javax.management.ObjectName;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A live stream that is refused (quota, bad parameter) leaves nothing in the change feed: it once
 * registered, on each 429, a subscriber for good, and 2 000 refusals then 300 changes held 602 000 queue nodes on the heap.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("long")
class RefusedStreamsTest {
    private static final String QUEUE_NODE = "java.util.concurrent.LinkedBlockingQueue$Node";

    @Inject
    ChangeFeed feed;

    @Test
    void thousandsOfRefusedStreamsLeaveNoSubscriberAndNoQueuedChanges() throws Exception {
        int quota = ConfigProvider.getConfig().getValue("connmon.live.max-streams-per-key", Integer.class);
        String url = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class)
                + Api.STATES;
        String prefix = "refused-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        // other classes' streams may still be open on this shared application
        int before = feed.subscriberCount();
        List<SseClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < quota; i++) {
                streams.add(SseClient.openUrl(url + "?clientIdPrefix=" + prefix, "test-streamer:streamer-token"));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> streams.stream().allMatch(s -> !s.named(":").isEmpty()));
            int open = feed.subscriberCount();

            for (int i = 0; i < 2000; i++) {
                int status = RestAssured.given()
                        .auth()
                        .preemptive()
                        .basic("test-streamer", "streamer-token")
                        .accept("text/event-stream")
                        .when()
                        .get(Api.STATES)
                        .statusCode();
                assertThat(status).isEqualTo(429);
            }
            for (int i = 0; i < 200; i++) {
                int status = Api.asReader()
                        .accept("text/event-stream")
                        .queryParam("lastEventId", "not-a-number")
                        .when()
                        .get(Api.STATES)
                        .statusCode();
                assertThat(status).isEqualTo(400);
            }
            assertThat(feed.subscriberCount()).isEqualTo(open);
            assertThat(Api.metric("connmon_live_subscribers")).isEqualTo(open);

            publishConnects(prefix, 300);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> streams.stream().allMatch(s -> s.named("state").size() == 300));
            // each open stream drained its queue; 2 000 leaked subscribers would hold 600 000 nodes here
            assertThat(liveInstances(QUEUE_NODE)).isLessThan(20_000);
        } finally {
            streams.forEach(SseClient::close);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> feed.subscriberCount() <= before);
    }

    private static void publishConnects(String prefix, int clients) {
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("refused-" + UUID.randomUUID());
        List<CompletableFuture<?>> sent = new ArrayList<>();
        Instant t0 = Instant.parse("2026-12-01T08:00:00Z");
        for (int i = 0; i < clients; i++) {
            sent.add(publisher
                    .publishWith()
                    .topic(TestMqtt.eventTopicPrefix() + "refused")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(connected(prefix + i, t0, "c" + i).encode().getBytes(StandardCharsets.UTF_8))
                    .send());
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        publisher.disconnect().join();
    }

    /** Live objects of a class, from the JVM's own class histogram (a full GC first). */
    private static long liveInstances(String className) throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer()
                .invoke(
                        new ObjectName("com.sun.management:type=DiagnosticCommand"),
                        "gcClassHistogram",
                        new Object[] {new String[0]},
                        new String[] {String[].class.getName()});
        return histogram
                .lines()
                .map(String::trim)
                .map(line -> line.split("\\s+"))
                .filter(columns -> columns.length >= 4 && columns[3].equals(className))
                .mapToLong(columns -> Long.parseLong(columns[1]))
                .sum();
    }
}
