package dev.connmon.alerts;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.schedule.Expectations;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The configured alert rules, checked once with the settings their channels share: a bad rule or setting stops
 * startup with a message naming its key.
 */
@ApplicationScoped
public class AlertRules {
    private final List<AlertRule> rules;

    AlertRules(ConnmonConfig config, Expectations expectations) {
        List<AlertRule> built = new ArrayList<>();
        new TreeMap<>(config.alerts().rules()).forEach((name, rule) -> built.add(AlertRule.of(name, rule)));
        for (AlertRule rule : built) {
            if (rule.condition() == Condition.OVERDUE && expectations.all().isEmpty()) {
                throw new IllegalArgumentException("connmon.alerts." + rule.name()
                        + ".when: overdue needs an expected check-in (connmon.expectations.<name>.every)");
            }
        }
        this.rules = List.copyOf(built);
        ChannelTarget.url("connmon.alerts.pagerduty-url", config.alerts().pagerdutyUrl());
        config.alerts().dashboardUrl().ifPresent(url -> ChannelTarget.url("connmon.alerts.dashboard-url", url));
        Duration resend = config.alerts().alertmanagerResendEvery();
        if (resend.isNegative() || resend.isZero()) {
            throw new IllegalArgumentException(
                    "connmon.alerts.alertmanager-resend-every: must be positive, not " + resend);
        }
    }

    public List<AlertRule> all() {
        return rules;
    }

    public AlertRule named(String name) {
        return rules.stream()
                .filter(rule -> rule.name().equals(name))
                .findFirst()
                .orElse(null);
    }
}
