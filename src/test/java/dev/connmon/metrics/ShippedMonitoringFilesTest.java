package dev.connmon.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the Prometheus alerting rules shipped in docs/: valid for promtool, and built only on
 * metrics connmon exports (docs/api.md §5).
 */
class ShippedMonitoringFilesTest {
    static final Path RULES = Path.of("docs/prometheus/connmon-rules.yml");
    static final Path DASHBOARD = Path.of("docs/grafana/connmon-fleet.json");
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Set<String> EXPORTED = Set.of(
            "connmon_clients",
            "connmon_clients_flapping",
            "connmon_client_connected",
            "connmon_alerts_open",
            "connmon_lifecycle_events_total",
            "connmon_timeline_sample_lag_seconds");
    private static final Pattern METRIC = Pattern.compile("connmon_[a-z_]+");

    private static List<String> dashboardExpressions() throws IOException {
        JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
        List<String> expressions = new ArrayList<>();
        JsonArray panels = dashboard.getJsonArray("panels");
        for (int i = 0; i < panels.size(); i++) {
            JsonArray targets = panels.getJsonObject(i).getJsonArray("targets");
            for (int j = 0; j < targets.size(); j++) {
                expressions.add(targets.getJsonObject(j).getString("expr"));
            }
        }
        return expressions;
    }

    private static Set<String> metrics(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    @Test
    void theDashboardAndTheRulesUseOnlyExportedMetrics() throws IOException {
        List<String> expressions = dashboardExpressions();
        assertThat(expressions).hasSizeGreaterThanOrEqualTo(10);
        assertThat(metrics(String.join("\n", expressions))).isSubsetOf(EXPORTED).contains("connmon_clients");
        assertThat(metrics(Files.readString(RULES))).isSubsetOf(EXPORTED);
    }

    @Test
    void promtoolAcceptsTheRulesAndEveryDashboardQuery() throws Exception {
        assumeTrue(Files.isExecutable(PROMTOOL), "promtool is not installed (it comes with Debian's prometheus)");
        assertThat(promtool(RULES)).contains("SUCCESS");

        // each panel query as a recording rule, Grafana's variables replaced: promtool parses every expression
        StringBuilder asRules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        List<String> expressions = dashboardExpressions();
        for (int i = 0; i < expressions.size(); i++) {
            String expr = expressions
                    .get(i)
                    .replace("$__rate_interval", "5m")
                    .replace("$client_type", ".*")
                    .replace("$device_type", ".*");
            asRules.append("      - record: dashboard:panel").append(i).append('\n');
            asRules.append("        expr: '").append(expr.replace("'", "''")).append("'\n");
        }
        Path file = Files.createTempFile("connmon-dashboard", ".yml");
        try {
            Files.writeString(file, asRules);
            assertThat(promtool(file)).contains("SUCCESS: " + expressions.size() + " rules found");
        } finally {
            Files.delete(file);
        }
    }

    private static String promtool(Path rules) throws Exception {
        Process process = new ProcessBuilder(PROMTOOL.toString(), "check", "rules", rules.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }
}
