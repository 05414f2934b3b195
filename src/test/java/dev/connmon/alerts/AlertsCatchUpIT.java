package dev.connmon.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A rule added to a fleet whose clients went offline while no evaluator watched: the first term catches up on all of
 * them, one alert each, a few pages per evaluation rather than in one evaluation that outlasts every other, and each
 * page's alerts in one transaction.
 */
class AlertsCatchUpIT {
    private static final int CLIENTS = 2_500;

    @Test
    void aFirstTermOpensOneAlertPerLongOfflineClientAcrossSeveralEvaluations() throws Exception {
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
                try (PackagedApp withRule = start(
                        config,
                        Map.of(
                                "connmon.alerts.gone.when", "offline",
                                "connmon.alerts.gone.for", "PT1S",
                                "connmon.alerts.gone.filter", "clientIdPrefix=" + prefix))) {
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
                    // the gauge counts what the evaluator holds, which it learns just after each commit
                    await().atMost(Duration.ofSeconds(10))
                            .untilAsserted(() -> assertThat(withRule.metric("connmon_alerts_open"))
                                    .isEqualTo(CLIENTS));
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
