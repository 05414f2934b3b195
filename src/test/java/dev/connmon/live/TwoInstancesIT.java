package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.EmbeddedServices;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.SseClient;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two packaged connmon instances on one PostgreSQL and one broker, splitting the lifecycle stream with an MQTT shared
 * subscription: an SSE subscriber of either instance sees every change exactly once, whichever instance ingested it.
 */
@Tag("long")
class TwoInstancesIT {
    private static final String KEY = "it";
    private static final String TOKEN = "it-token";

    @Test
    void everyChangeReachesTheSubscriberOfEitherInstanceExactlyOnce() throws Exception {
        try (EmbeddedServices services = new EmbeddedServices()) {
            Map<String, String> config = services.config();
            try (PackagedApp a = start(config, "connmon-a");
                    PackagedApp b = start(config, "connmon-b")) {
                int portA = a.httpPort();
                int portB = b.httpPort();
                String prefix = "two-" + UUID.randomUUID().toString().substring(0, 8) + "-";
                try (SseClient onA = SseClient.openUrl(
                                "http://localhost:" + portA + "/api/v0002/clientconnectionstates?clientIdPrefix="
                                        + prefix,
                                KEY + ":" + TOKEN);
                        SseClient onB = SseClient.openUrl(
                                "http://localhost:" + portB + "/api/v0002/clientconnectionstates?clientIdPrefix="
                                        + prefix,
                                KEY + ":" + TOKEN)) {
                    await().atMost(Duration.ofSeconds(10))
                            .until(() ->
                                    !onA.named(":").isEmpty() && !onB.named(":").isEmpty());
                    int clients = 300;
                    publish(config, prefix, clients);
                    for (SseClient subscriber : List.of(onA, onB)) {
                        await().atMost(Duration.ofSeconds(30))
                                .until(() -> subscriber.named("state").size() >= clients);
                        await().pollDelay(Duration.ofSeconds(1)).until(() -> true);
                        List<SseClient.Event> states = subscriber.named("state");
                        assertThat(states).hasSize(clients);
                        assertThat(states)
                                .extracting(e -> Long.parseLong(e.id()))
                                .isSorted()
                                .doesNotHaveDuplicates();
                        assertThat(states)
                                .extracting(e -> new JsonObject(e.data()).getString("id"))
                                .doesNotHaveDuplicates()
                                .allMatch(id -> id.startsWith(prefix));
                    }
                    assertThat(onA.named("state"))
                            .extracting(SseClient.Event::id)
                            .containsExactlyElementsOf(onB.named("state").stream()
                                    .map(SseClient.Event::id)
                                    .toList());
                }
            }
        }
    }

    /**
     * The monitoring publisher's lock session is terminated (as an administrator or a failover would): the instance
     * that held it stops publishing at once, the other takes over after its grace period, and each change is
     * published once. Both once published: 100 messages for 50 changes.
     */
    @Test
    void aTerminatedLockSessionNeverLeavesTwoMonitorPublishers() throws Exception {
        try (EmbeddedServices services = new EmbeddedServices()) {
            Map<String, String> config = services.config();
            try (PackagedApp a = start(config, "connmon-a");
                    PackagedApp b = start(config, "connmon-b");
                    Connection sql = DriverManager.getConnection(
                            config.get("quarkus.datasource.jdbc.url"),
                            config.get("quarkus.datasource.username"),
                            config.get("quarkus.datasource.password"))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> publisherSession(sql) != null);
                Integer first = publisherSession(sql);
                try (Statement statement = sql.createStatement()) {
                    statement.execute("SELECT pg_terminate_backend(" + first + ")");
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    Integer now = publisherSession(sql);
                    return now != null && !now.equals(first);
                });
                // the new leader acts after its grace period (2.5 s)
                Thread.sleep(4000);

                String prefix = "fence-" + UUID.randomUUID().toString().substring(0, 8) + "-";
                List<String> received = new CopyOnWriteArrayList<>();
                Mqtt5AsyncClient monitor = EmbeddedServices.systemClient(config, "fence-monitor");
                monitor.subscribeWith()
                        .topicFilter("connmon/clients/#")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .callback(message -> {
                            if (message.getTopic().toString().contains(prefix)) {
                                received.add(message.getTopic().toString());
                            }
                        })
                        .send()
                        .join();
                int clients = 50;
                publish(config, prefix, clients);
                await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= clients);
                await().pollDelay(Duration.ofSeconds(4)).until(() -> true);
                assertThat(received).hasSize(clients).doesNotHaveDuplicates();
                monitor.disconnect().join();
            }
        }
    }

    /** The backend holding the monitoring publisher's session lock (MonitorPublisher.LEADER_LOCK), if any. */
    private static Integer publisherSession(Connection sql) throws Exception {
        try (Statement statement = sql.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 7239042 AND granted")) {
            return rows.next() ? rows.getInt(1) : null;
        }
    }

    /** Both instances read the lifecycle topic through one shared subscription, so each event reaches one of them. */
    private static PackagedApp start(Map<String, String> config, String clientId) {
        Map<String, String> properties = new LinkedHashMap<>(config);
        properties.put("connmon.mqtt.client-id", clientId);
        properties.put("connmon.mqtt.topics", "$share/connmon/connmon/events/#");
        properties.put("quarkus.security.users.embedded.users." + KEY, TOKEN);
        properties.put("quarkus.security.users.embedded.roles." + KEY, "reader");
        properties.put("quarkus.log.level", "WARN");
        return PackagedApp.start(properties, List.of());
    }

    private static void publish(Map<String, String> config, String prefix, int clients) {
        Mqtt5AsyncClient publisher = EmbeddedServices.systemClient(config, "two-publisher-" + prefix);
        List<CompletableFuture<?>> sent = new ArrayList<>();
        Instant t0 = Instant.parse("2026-11-26T12:00:00Z");
        for (int i = 0; i < clients; i++) {
            JsonObject event = new JsonObject()
                    .put("event", "connected")
                    .put("clientId", prefix + i)
                    .put("time", t0.plusMillis(i).toString())
                    .put("connectionId", "c" + i);
            sent.add(publisher
                    .publishWith()
                    .topic("connmon/events/two")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(event.encode().getBytes(StandardCharsets.UTF_8))
                    .send());
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        publisher.disconnect().join();
    }
}
