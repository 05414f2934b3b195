package dev.connmon.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.sun.net.httpserver.HttpServer;
import dev.connmon.support.EmbeddedServices;
import dev.connmon.support.Events;
import dev.connmon.support.PackagedApp;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
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
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two packaged instances with one offline rule on one database and broker: each episode opens one alert and its
 * opening is delivered, also when the evaluating instance is killed with episodes pending and when its database
 * session is terminated. The survivor takes over the open alerts from the database and opens none twice.
 */
@Tag("long")
class AlertsTwoInstancesIT {
    private static final long ALERT_LOCK = dev.connmon.cluster.AdvisoryLocks.ALERT_LEADER;
    private final List<JsonObject> received = new CopyOnWriteArrayList<>();

    @Test
    void oneAlertPerEpisodeAcrossAKilledAndAFencedEvaluator() throws Exception {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            received.add(new JsonObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.start();
        String prefix = "fence-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        try (EmbeddedServices services = new EmbeddedServices()) {
            Map<String, String> config = services.config();
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
            PackagedApp a = start(config, "a", prefix, hook);
            PackagedApp b = start(config, "b", prefix, hook);
            try (Connection sql = DriverManager.getConnection(
                    config.get("quarkus.datasource.jdbc.url"),
                    config.get("quarkus.datasource.username"),
                    config.get("quarkus.datasource.password"))) {
                goOffline(config, prefix, 0, 20);
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> openedSubjects().size() == 20);

                // the evaluating instance dies with 20 episodes pending (their for has not passed)
                String leader = leader(sql);
                goOffline(config, prefix, 20, 40);
                PackagedApp killed = leader.equals("connmon-a") ? a : b;
                killed.kill();
                if (killed == a) {
                    a = start(config, "a", prefix, hook);
                } else {
                    b = start(config, "b", prefix, hook);
                }
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> openedSubjects().size() == 40);

                // the evaluating instance's database session is terminated, with 20 more pending
                await().atMost(Duration.ofSeconds(30)).until(() -> leader(sql) != null);
                goOffline(config, prefix, 40, 60);
                try (Statement statement = sql.createStatement()) {
                    statement.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                            + "AND objid = " + ALERT_LOCK + " AND granted");
                }
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> openedSubjects().size() == 60);
                await().pollDelay(Duration.ofSeconds(3)).until(() -> true);

                try (Statement statement = sql.createStatement();
                        ResultSet rows = statement.executeQuery(
                                "SELECT count(*), count(DISTINCT client_id) FROM alert WHERE client_id LIKE '" + prefix
                                        + "%'")) {
                    rows.next();
                    assertThat(rows.getInt(1)).as("alerts").isEqualTo(60);
                    assertThat(rows.getInt(2)).as("clients with an alert").isEqualTo(60);
                }
                // delivery is at least once: a repeat carries the same delivery id, never a second alert
                Map<String, Set<String>> alertIdsBySubject = opened().stream()
                        .collect(Collectors.groupingBy(
                                body -> body.getJsonObject("alert").getString("clientId"),
                                Collectors.mapping(
                                        body -> body.getJsonObject("alert").getString("id"), Collectors.toSet())));
                assertThat(alertIdsBySubject)
                        .hasSize(60)
                        .allSatisfy((subject, ids) -> assertThat(ids).hasSize(1));
            } finally {
                a.close();
                b.close();
            }
        } finally {
            receiver.stop(0);
        }
    }

    private List<JsonObject> opened() {
        return received.stream()
                .filter(body -> "alert.opened".equals(body.getString("type")))
                .toList();
    }

    private Set<String> openedSubjects() {
        return opened().stream()
                .map(body -> body.getJsonObject("alert").getString("clientId"))
                .collect(Collectors.toSet());
    }

    /** The instance (its application_name) holding the alert evaluator's lock, or null. */
    private static String leader(Connection sql) throws Exception {
        try (Statement statement = sql.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                                + "WHERE l.locktype = 'advisory' AND l.objid = " + ALERT_LOCK + " AND l.granted")) {
            return rows.next() ? rows.getString(1) : null;
        }
    }

    private static PackagedApp start(Map<String, String> config, String name, String prefix, String hook) {
        Map<String, String> properties = new LinkedHashMap<>(config);
        properties.put("connmon.mqtt.client-id", "connmon-" + name);
        properties.put("connmon.mqtt.topics", "$share/connmon/connmon/events/#");
        properties.put("quarkus.datasource.reactive.additional-properties.application_name", "connmon-" + name);
        properties.put("quarkus.security.users.embedded.users.it", "it-token");
        properties.put("quarkus.security.users.embedded.roles.it", "reader");
        properties.put("quarkus.log.level", "WARN");
        properties.put("connmon.alerts.evaluate-every", "PT0.2S");
        properties.put("connmon.alerts.off.when", "offline");
        properties.put("connmon.alerts.off.for", "PT3S");
        properties.put("connmon.alerts.off.filter", "clientIdPrefix=" + prefix);
        properties.put("connmon.alerts.off.webhook", hook);
        return PackagedApp.start(properties, List.of());
    }

    /** Clients {@code from..to-1} connect and, now, disconnect. */
    static void goOffline(Map<String, String> config, String prefix, int from, int to) {
        Mqtt5AsyncClient publisher = EmbeddedServices.systemClient(config, "alerts-it-" + UUID.randomUUID());
        Instant now = Instant.now();
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = from; i < to; i++) {
            for (JsonObject event : List.of(
                    Events.connected(prefix + i, now.minusSeconds(30), "c" + i),
                    Events.disconnected(prefix + i, now, "c" + i, "network", 0x8D))) {
                sent.add(publisher
                        .publishWith()
                        .topic("connmon/events/alerts-it")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload(event.encode().getBytes(StandardCharsets.UTF_8))
                        .send());
            }
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        publisher.disconnect().join();
    }
}
