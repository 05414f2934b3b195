package dev.connmon.alerts;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.query.FilterText;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateFilter.Field;
import dev.connmon.state.ClientCalendar;
import dev.connmon.state.ClientState;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One alert rule from {@code connmon.alerts.<name>.*}: the condition, how long it must hold, which clients it
 * watches (a list filter, resolved at each evaluation so that relative times stay relative), how severe it is and
 * where it is delivered: its channels, the webhook among them.
 */
public record AlertRule(
        String name,
        Condition condition,
        Duration holdFor,
        FilterText filter,
        Double threshold,
        URI webhook,
        String webhookSecret,
        String severity,
        List<ChannelTarget> targets) {
    private static final Duration MILLI = Duration.ofMillis(1);
    /** PagerDuty's severities, which Alertmanager's {@code severity} label takes as well. */
    static final Set<String> SEVERITIES = Set.of("critical", "error", "warning", "info");

    /** The rule {@code name} as configured; an error names the key at fault. */
    static AlertRule of(String name, ConnmonConfig.Rule config) {
        String key = "connmon.alerts." + name + ".";
        Condition condition = Condition.fromWireName(config.when());
        if (condition == null) {
            throw new IllegalArgumentException(key + "when: '" + config.when() + "' is not one of "
                    + Arrays.stream(Condition.values()).map(Condition::wireName).collect(Collectors.joining(", ")));
        }
        Duration holdFor = config.holdFor().orElse(condition.defaultFor());
        if (holdFor.isNegative()) {
            throw new IllegalArgumentException(key + "for: must not be negative");
        }
        FilterText filter;
        try {
            filter = FilterText.parse(config.filter().orElse(""));
            filter.filter(Instant.now());
        } catch (InvalidParameterException e) {
            throw new IllegalArgumentException(key + "filter: " + e.parameter() + " " + e.getMessage());
        }
        Double threshold = config.threshold().orElse(null);
        if (condition == Condition.FLEET_DROP && (threshold == null || !(threshold > 0 && threshold <= 1))) {
            throw new IllegalArgumentException(key + "threshold: a fleet-drop rule needs a share in (0, 1]");
        }
        if (condition != Condition.FLEET_DROP && threshold != null) {
            throw new IllegalArgumentException(key + "threshold: only a fleet-drop rule takes one");
        }
        URI webhook = config.webhook()
                .map(url -> ChannelTarget.url(key + "webhook", url))
                .orElse(null);
        if (webhook == null && config.webhookSecret().isPresent()) {
            throw new IllegalArgumentException(key + "webhook-secret: there is no webhook to sign for");
        }
        String severity = config.severity().orElse(condition == Condition.FLEET_DROP ? "critical" : "warning");
        if (!SEVERITIES.contains(severity)) {
            throw new IllegalArgumentException(
                    key + "severity: '" + severity + "' is not one of critical, error, warning, info");
        }
        List<ChannelTarget> targets = new ArrayList<>();
        if (webhook != null) {
            targets.add(new ChannelTarget(Channel.WEBHOOK, webhook.toString()));
        }
        targets.addAll(ChannelTarget.of(key, config));
        AlertRule rule = new AlertRule(
                name,
                condition,
                holdFor,
                filter,
                threshold,
                webhook,
                config.webhookSecret().orElse(null),
                severity,
                List.copyOf(targets));
        try {
            rule.candidates(Instant.now(), null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + "filter: contradicts the condition (" + e.getMessage() + ")");
        }
        return rule;
    }

    /** The rule's target on {@code channel}, or null if it has none (now: the configuration may have changed). */
    ChannelTarget target(Channel channel) {
        return targets.stream().filter(t -> t.channel() == channel).findFirst().orElse(null);
    }

    /** Names the rule only: its webhook secret and channel addresses are secrets. */
    @Override
    public String toString() {
        return "AlertRule[" + name + ", " + condition.wireName() + ", channels " + targets + "]";
    }

    /** The clients the rule watches, now: those its filter names, less those in a maintenance window. */
    StateFilter watched(Instant now) {
        return filter.filter(now).and(StateFilter.ALL.with(Field.IN_MAINTENANCE, Boolean.FALSE));
    }

    /** When a client's condition began, if it holds for this state (null otherwise); per-client conditions only. */
    Instant conditionSince(ClientState state) {
        return switch (condition) {
            // a client that is expected to sleep is offline from the check-in it missed, never while asleep
            case OFFLINE ->
                !"disconnected".equals(state.connectionStatus()) || state.lastDisconnectTime() == null || state.asleep()
                        ? null
                        : state.overdue() ? dueBy(state) : Instant.parse(state.lastDisconnectTime());
            case OVERDUE -> state.overdue() && state.lastDisconnectTime() != null ? dueBy(state) : null;
            case SILENT ->
                "connected".equals(state.connectionStatus()) && state.lastActivityTime() != null
                        ? Instant.parse(state.lastActivityTime())
                        : null;
            case FLAPPING ->
                state.flapping() && state.flappingSince() != null ? Instant.parse(state.flappingSince()) : null;
            default -> null;
        };
    }

    private static Instant dueBy(ClientState state) {
        return ClientCalendar.dueBy(state.id(), Instant.parse(state.lastDisconnectTime()));
    }

    /**
     * The watched clients named by an expectation whose check-in, missed by {@code within} after their last
     * disconnect, was due after {@code after} (null: ever) and at least {@code holdFor} before {@code now}: a range
     * of the disconnect time's index, as an offline rule's own, moved back by {@code within}. An error when the rule's
     * clients and the expectation's cannot meet.
     */
    StateFilter overdueCandidates(StateFilter expectation, Duration within, Instant now, Instant after) {
        StateFilter overdue = StateFilter.ALL
                .with(Field.CONNECTION_STATUS, "disconnected")
                .with(Field.OVERDUE, Boolean.TRUE)
                .with(Field.DISCONNECTED_AFTER, after == null ? null : after.minus(within))
                .with(
                        Field.DISCONNECTED_BEFORE,
                        now.minus(holdFor).minus(within).plus(MILLI));
        return watched(now).and(expectation).and(overdue);
    }

    /**
     * The watched clients whose condition began after {@code after} (null: ever) and at least {@code holdFor} before
     * {@code now}: those that should have an alert open, in the indexed form of a list filter (flapping: every
     * flapping client; the evaluator checks how long each has been).
     */
    StateFilter candidates(Instant now, Instant after) {
        Instant cutoff = now.minus(holdFor).plus(MILLI);
        StateFilter condition = switch (this.condition) {
            case OFFLINE ->
                StateFilter.ALL
                        .with(Field.CONNECTION_STATUS, "disconnected")
                        .with(Field.DISCONNECTED_AFTER, after)
                        .with(Field.DISCONNECTED_BEFORE, cutoff);
            case SILENT ->
                StateFilter.ALL
                        .with(Field.CONNECTION_STATUS, "connected")
                        .with(Field.ACTIVE_AFTER, after)
                        .with(Field.ACTIVE_BEFORE, cutoff);
            case FLEET_DROP ->
                StateFilter.ALL
                        .with(Field.CONNECTION_STATUS, "disconnected")
                        .with(Field.DISCONNECTED_AFTER, now.minus(holdFor));
            // flapping clients are few, and their flappingSince is not an index: all of them, each evaluation
            case FLAPPING -> StateFilter.ALL.with(Field.FLAPPING, Boolean.TRUE);
            // each expectation's own range (overdueCandidates); this is every overdue client
            case OVERDUE -> StateFilter.ALL.with(Field.OVERDUE, Boolean.TRUE);
        };
        return watched(now).and(condition);
    }
}
