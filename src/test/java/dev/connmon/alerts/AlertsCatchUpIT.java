package dev.connmon.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.EmbeddedServices;
import dev.connmon.support.PackagedApp;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A rule added to a fleet whose clients went offline while no evaluator watched: the first term catches up on all of
 * them, one alert each, a few pages per evaluation rather than in one evaluation that outlasts every other, and each
 * page's alerts in one transaction; a restart then keeps every one of them open and opens none again.
 */
@Tag("long")
class AlertsCatchUpIT {
    private static final int CLIENTS = 2_500;

    @Test
    void aFirstTermOpensOneAlertPerLongOfflineClientAcrossSeveralEvaluationsAndARestartKeepsThem() throws Exception {
        String prefix = "catch-" + UUID.randomUUID().toString().substring(0, 6) + "-";
        try (EmbeddedServices services = new EmbeddedServices()) {
            Map<String, String> config = services.config();
            try (Connection sql = DriverManager.getConnection(
                    config.get("quarkus.datasource.jdbc.url"),
                    config.get("quarkus.datasource.username"),
                    config.get("quarkus.datasource.password"))) {
                try (PackagedApp withoutRules = start(config, Map.of())) {
                    AlertsTwoInstancesIT.goOffline(config, prefix, 0, CLIENTS);
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> count(
                                            sql,
                                            "SELECT count(*) FROM client_state WHERE client_id LIKE '" + prefix
                                                    + "%' AND connection_status = 'disconnected'")
                                    == CLIENTS);
                }
                long commitsBefore = commits(sql);
                Map<String, String> rule = Map.of(
                        "connmon.alerts.gone.when", "offline",
                        "connmon.alerts.gone.for", "PT1S",
                        "connmon.alerts.gone.filter", "clientIdPrefix=" + prefix);
                try (PackagedApp withRule = start(config, rule)) {
                    await().atMost(Duration.ofSeconds(90))
                            .untilAsserted(
                                    () -> assertThat(count(sql, "SELECT count(*) FROM alert WHERE rule = 'gone'"))
                                            .as("alerts")
                                            .isEqualTo(CLIENTS));
                    long commits = commits(sql) - commitsBefore;
                    assertThat(count(sql, "SELECT count(DISTINCT client_id) FROM alert WHERE rule = 'gone'"))
                            .as("clients with an alert")
                            .isEqualTo(CLIENTS);
                    assertThat(count(
                                    sql,
                                    "SELECT count(*) FROM alert_event JOIN alert ON alert.id = alert_id"
                                            + " WHERE rule = 'gone'"))
                            .as("opening events")
                            .isEqualTo(CLIENTS);
                    // a page of 500 at most 4 times per evaluation: 2 000, then the other 500 a tick later
                    assertThat(count(sql, "SELECT count(DISTINCT opened_at) FROM alert WHERE rule = 'gone'"))
                            .as("evaluations that opened them")
                            .isBetween(2L, 6L);
                    // one transaction per page, not per alert (the rest is the application's own start and upkeep)
                    assertThat(commits).as("transactions committed").isLessThan(CLIENTS / 3);
                    // every alert's retained topic made it to the broker: a page's 500 publishes at once had
                    // overflowed the emitter's buffer, losing most
                    await().atMost(Duration.ofSeconds(30))
                            .untilAsserted(() -> assertThat(retainedAlertTopics(config))
                                    .as("retained alert topics")
                                    .isEqualTo(CLIENTS));
                    // the gauge counts what the evaluator holds, which it learns just after each commit
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(withRule.metric("connmon_alerts_open"))
                                    .isEqualTo(CLIENTS));
                }
                // a restart takes the open alerts over from the database and opens none twice: the episodes go on
                try (PackagedApp restarted = start(config, rule)) {
                    await().atMost(Duration.ofSeconds(30))
                            .untilAsserted(() -> assertThat(restarted.metric("connmon_alerts_evaluation_seconds_count"))
                                    .isGreaterThanOrEqualTo(10));
                    assertThat(restarted.metric("connmon_alerts_open")).isEqualTo(CLIENTS);
                    assertThat(count(sql, "SELECT count(*) FROM alert WHERE rule = 'gone'"))
                            .as("alerts after the restart")
                            .isEqualTo(CLIENTS);
                    assertThat(count(sql, "SELECT count(*) FROM alert WHERE rule = 'gone' AND resolved_at IS NULL"))
                            .as("still open")
                            .isEqualTo(CLIENTS);
                }
            }
        }
    }

    private static PackagedApp start(Map<String, String> config, Map<String, String> rules) {
        Map<String, String> properties = new LinkedHashMap<>(config);
        properties.put("quarkus.log.level", "WARN");
        properties.put("connmon.alerts.evaluate-every", "PT0.2S");
        properties.putAll(rules);
        return PackagedApp.start(properties, List.of());
    }

    /** How many retained topics a new subscriber to the rule's alert topics gets within a few seconds. */
    private static int retainedAlertTopics(Map<String, String> config) throws InterruptedException {
        Set<String> topics = ConcurrentHashMap.newKeySet();
        Mqtt5AsyncClient reader = EmbeddedServices.systemClient(config, "catch-up-reader-" + UUID.randomUUID());
        reader.subscribeWith()
                .topicFilter("connmon/alerts/gone/#")
                .callback(message -> {
                    if (message.isRetain()) {
                        topics.add(message.getTopic().toString());
                    }
                })
                .send()
                .join();
        Thread.sleep(3000);
        reader.disconnect().join();
        return topics.size();
    }

    private static long count(Connection sql, String query) throws SQLException {
        try (Statement statement = sql.createStatement();
                ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static long commits(Connection sql) throws SQLException {
        return count(sql, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
    }
}
