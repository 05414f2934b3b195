package dev.connmon.live;

import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.state.StateChanges;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.SseClient;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Live status over SSE (docs/api.md §3), fed by the committed changes in PostgreSQL. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class LiveStatusTest {
    private static final String STATES = "/api/v0002/clientconnectionstates";
    private static final Instant T0 = Instant.parse("2026-11-26T09:00:00Z");

    @Inject
    Pool pool;

    private static void publish(List<JsonObject> events) {
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("live-" + UUID.randomUUID());
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (JsonObject event : events) {
            sent.add(publisher
                    .publishWith()
                    .topic(TestMqtt.eventTopicPrefix() + "live")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(event.encode().getBytes(StandardCharsets.UTF_8))
                    .send());
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        publisher.disconnect().join();
    }

    private static String prefix() {
        return "live-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    }

    @Test
    void matchingChangesArriveInOrderWithGrowingIdsAndKeepAlives() {
        String p = prefix();
        try (SseClient all = SseClient.open(STATES + "?clientIdPrefix=" + p);
                SseClient connectedOnly =
                        SseClient.open(STATES + "?clientIdPrefix=" + p + "&connectionStatus=connected")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !all.named(":").isEmpty());
            publish(List.of(
                    connected(p + "a", T0, "a1"), connected(p + "b", T0, "b1"), connected("other-" + p, T0, "x")));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> all.named("state").size() == 2);
            publish(List.of(disconnected(p + "a", T0.plusSeconds(5), "a1", "server", 0x8D)));

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> all.named("state").size() == 3);
            List<SseClient.Event> states = all.named("state");
            assertThat(states)
                    .extracting(e -> Long.parseLong(e.id()))
                    .isSorted()
                    .doesNotHaveDuplicates();
            assertThat(states)
                    .extracting(e -> new JsonObject(e.data()).getString("id"))
                    .allMatch(id -> id.startsWith(p));
            JsonObject last = new JsonObject(states.stream()
                    .filter(e -> e.data().contains(p + "a\""))
                    .reduce((x, y) -> y)
                    .orElseThrow()
                    .data());
            assertThat(last.getString("connectionStatus")).isEqualTo("disconnected");
            assertThat(last.getInteger("lastDisconnectReasonCode")).isEqualTo(0x8D);
            assertThat(last.containsKey("unconfirmedSince")).isTrue();

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> connectedOnly.named("state").size() == 2);
            assertThat(connectedOnly.named("state"))
                    .extracting(e -> new JsonObject(e.data()).getString("connectionStatus"))
                    .containsOnly("connected");
            // keep-alive comments keep coming (every second in the test profile)
            int comments = all.named(":").size();
            await().atMost(Duration.ofSeconds(5)).until(() -> all.named(":").size() > comments);
            assertThat(all.named(":").get(0).data()).isEqualTo("keep-alive");
        }
    }

    @Test
    void reconnectingWithLastEventIdReplaysWhatWasMissedWithoutGapOrDuplicate() {
        String p = prefix();
        List<JsonObject> history = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            history.add(connected(p + i, T0.plusSeconds(i), "c" + i));
        }
        String lastSeen;
        try (SseClient first = SseClient.open(STATES + "?clientIdPrefix=" + p)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !first.named(":").isEmpty());
            publish(history.subList(0, 10));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> first.named("state").size() == 10);
            lastSeen = first.named("state").get(9).id();
        }
        publish(history.subList(10, 20));
        // the header form, and while the replay runs, more changes arrive live
        try (SseClient resumed = SseClient.open(STATES + "?clientIdPrefix=" + p, Map.of("Last-Event-ID", lastSeen));
                SseClient byQuery = SseClient.open(STATES + "?clientIdPrefix=" + p + "&lastEventId=" + lastSeen)) {
            publish(history.subList(20, 30));
            for (SseClient client : List.of(resumed, byQuery)) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> client.named("state").size() >= 20);
                await().pollDelay(Duration.ofMillis(500)).until(() -> true);
                List<SseClient.Event> states = client.named("state");
                assertThat(states).hasSize(20);
                assertThat(states)
                        .extracting(e -> Long.parseLong(e.id()))
                        .isSorted()
                        .doesNotHaveDuplicates()
                        .allMatch(id -> id > Long.parseLong(lastSeen));
                assertThat(states)
                        .extracting(e -> new JsonObject(e.data()).getString("id"))
                        .containsExactlyInAnyOrderElementsOf(history.subList(10, 30).stream()
                                .map(e -> e.getString("clientId"))
                                .toList());
            }
        }
    }

    @Test
    void aChangeWhoseTransactionCommitsLateIsNotSkipped() throws Exception {
        String p = prefix();
        try (SseClient client = SseClient.open(STATES + "?clientIdPrefix=" + p)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !client.named(":").isEmpty());
            // a slow writer: holds the feed lock, records a change, commits two seconds later
            CompletableFuture<Void> slow = pool.withTransaction(conn -> conn.query(StateChanges.LOCK_CHANGE_FEED)
                            .execute()
                            .chain(() -> conn.preparedQuery(
                                            "INSERT INTO state_change (client_id, client_type, connection_status)"
                                                    + " VALUES ($1, 'client', 'connected')")
                                    .execute(Tuple.of(p + "slow")))
                            .chain(() -> io.smallrye.mutiny.Uni.createFrom()
                                    .voidItem()
                                    .onItem()
                                    .delayIt()
                                    .by(Duration.ofSeconds(2))))
                    .subscribeAsCompletionStage()
                    .toCompletableFuture();
            await().pollDelay(Duration.ofMillis(300)).until(() -> true);
            // meanwhile a fast batch through the pipeline
            publish(List.of(connected(p + "fast", T0, "f")));
            slow.get();

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> client.named("state").size() == 2);
            assertThat(client.named("state"))
                    .extracting(e -> new JsonObject(e.data()).getString("id"))
                    .containsExactly(p + "slow", p + "fast");
        }
    }

    /** 6 000 changes at once: on the embedded broker only (a stock Mosquitto keeps 1 000 per subscriber). */
    @Test
    @org.junit.jupiter.api.Tag("embedded-broker")
    void aSubscriberThatStopsReadingIsClosedWithAResumeEventWhileOthersGetEverything() throws Exception {
        String p = prefix();
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        Socket stalled = new Socket();
        stalled.setReceiveBufferSize(4096);
        stalled.connect(new java.net.InetSocketAddress("localhost", port));
        try (stalled;
                SseClient healthy = SseClient.open(STATES + "?clientIdPrefix=" + p)) {
            stalled.getOutputStream()
                    .write(("GET " + STATES + "?clientIdPrefix=" + p + " HTTP/1.1\r\nHost: localhost\r\n"
                                    + "Accept: text/event-stream\r\nAuthorization: Basic "
                                    + Base64.getEncoder()
                                            .encodeToString("test-reader:reader-token".getBytes(StandardCharsets.UTF_8))
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !healthy.named(":").isEmpty());
            List<JsonObject> burst = new ArrayList<>();
            String padding = "x".repeat(400);
            for (int i = 0; i < 6000; i++) {
                burst.add(connected(p + i, T0.plusMillis(i), "c").put("node", padding));
            }
            long start = System.nanoTime();
            publish(burst);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> healthy.named("state").size() == 6000);
            io.quarkus.logging.Log.infof(
                    "6000 changes reached the healthy subscriber in %.1f s", (System.nanoTime() - start) / 1e9);

            // now read what the stalled subscriber was sent: it ends with a resume event, then the stream closes
            InputStream in = stalled.getInputStream();
            stalled.setSoTimeout(10_000);
            StringBuilder text = new StringBuilder();
            byte[] chunk = new byte[65536];
            // the response ends after the resume event; the connection itself may stay open (HTTP keep-alive)
            while (!text.toString().endsWith("0\r\n\r\n")) {
                int read = in.read(chunk);
                if (read < 0) {
                    break;
                }
                text.append(new String(chunk, 0, read, StandardCharsets.ISO_8859_1));
            }
            String received = text.toString();
            assertThat(received).contains("event:resume");
            int states = received.split("event:state", -1).length - 1;
            assertThat(states).isLessThan(6000);
        }
    }
}
