package dev.connmon.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connmon.config.ConnmonConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A rule's channels as configured: checked at startup with the key named, and never the secret shown. */
class AlertRuleChannelsTest {
    private static final String SLACK = "https://hooks.slack.example/services/T0/B0/SECRETPATH";

    /** The rule {@code connmon.alerts.r.*} with these keys (without the rule's prefix). */
    private static AlertRule rule(Map<String, String> keys) {
        return AlertRule.of("r", new ConnmonConfig.Rule() {
            private Optional<String> key(String name) {
                return Optional.ofNullable(keys.get(name));
            }

            public String when() {
                return keys.getOrDefault("when", "offline");
            }

            public Optional<Duration> holdFor() {
                return Optional.empty();
            }

            public Optional<String> filter() {
                return key("filter");
            }

            public Optional<Double> threshold() {
                return key("threshold").map(Double::valueOf);
            }

            public Optional<String> webhook() {
                return key("webhook");
            }

            public Optional<String> webhookSecret() {
                return key("webhook-secret");
            }

            public Optional<String> severity() {
                return key("severity");
            }

            public Optional<String> alertmanager() {
                return key("alertmanager");
            }

            public Optional<String> pagerdutyRoutingKey() {
                return key("pagerduty-routing-key");
            }

            public Optional<String> slack() {
                return key("slack");
            }

            public Optional<String> teams() {
                return key("teams");
            }
        });
    }

    @Test
    void everyConfiguredChannelIsATargetAndTheRuleShowsNoSecret() {
        AlertRule rule = rule(Map.of(
                "webhook", "https://ops.example/hook",
                "webhook-secret", "HMACSECRET",
                "alertmanager", "http://alertmanager:9093",
                "pagerduty-routing-key", "ROUTINGKEY",
                "slack", SLACK,
                "teams", "https://prod.example/workflows/x/invoke?sig=TEAMSSECRET"));
        assertThat(rule.targets())
                .extracting(ChannelTarget::channel)
                .containsExactly(
                        Channel.WEBHOOK, Channel.ALERTMANAGER, Channel.PAGERDUTY, Channel.SLACK, Channel.TEAMS);
        assertThat(rule.target(Channel.PAGERDUTY).address()).isEqualTo("ROUTINGKEY");
        assertThat(rule.severity()).isEqualTo("warning");
        assertThat(rule.toString())
                .isEqualTo("AlertRule[r, offline, channels [webhook, alertmanager, pagerduty, slack, teams]]")
                .doesNotContain("SECRET", "ROUTINGKEY");
    }

    @Test
    void aFleetDropRuleIsCriticalUnlessConfiguredOtherwise() {
        assertThat(rule(Map.of("when", "fleet-drop", "threshold", "0.5")).severity())
                .isEqualTo("critical");
        assertThat(rule(Map.of("when", "fleet-drop", "threshold", "0.5", "severity", "info"))
                        .severity())
                .isEqualTo("info");
    }

    @Test
    void aBadChannelOrSeverityStopsStartupNamingTheKeyAndNotTheValue() {
        assertThatThrownBy(() -> rule(Map.of("slack", SLACK.replace("https", "ftp"))))
                .hasMessage("connmon.alerts.r.slack: needs an http:// or https:// URL with a host");
        assertThatThrownBy(() -> rule(Map.of("teams", "https://prod.example/a b?sig=SECRET")))
                .hasMessage("connmon.alerts.r.teams: not a URL");
        assertThatThrownBy(() -> rule(Map.of("pagerduty-routing-key", " ")))
                .hasMessage("connmon.alerts.r.pagerduty-routing-key: must not be empty");
        assertThatThrownBy(() -> rule(Map.of("severity", "page-everyone")))
                .hasMessage("connmon.alerts.r.severity: 'page-everyone' is not one of critical, error, warning, info");
    }
}
