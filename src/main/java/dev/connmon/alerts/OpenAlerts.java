package dev.connmon.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.cluster.Leadership;
import dev.connmon.metrics.Gauges;
import dev.connmon.state.ClientState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The open alerts of every rule as the evaluating instance knows them, and the one way to open or resolve alerts:
 * in batches, each stored with its events and deliveries in one transaction under the current term, then published
 * on its topic. Only the leader writes alerts, so what it holds here is exact.
 */
@ApplicationScoped
class OpenAlerts {
    private final AlertRepository repository;
    private final AlertTopics topics;
    private final ObjectMapper mapper;
    private final Map<String, Map<String, AlertRepository.OpenAlert>> byRule = new ConcurrentHashMap<>();

    OpenAlerts(
            AlertRules rules,
            AlertRepository repository,
            AlertTopics topics,
            ObjectMapper mapper,
            MeterRegistry metrics) {
        this.repository = repository;
        this.topics = topics;
        this.mapper = mapper;
        for (AlertRule rule : rules.all()) {
            Map<String, AlertRepository.OpenAlert> open = new ConcurrentHashMap<>();
            byRule.put(rule.name(), open);
            Gauges.register(
                    metrics, "connmon.alerts.open", Tags.of("rule", rule.name()), "Open alerts", open, Map::size);
        }
    }

    /** The rule's open alerts by subject (client id, or {@code _fleet}). */
    Map<String, AlertRepository.OpenAlert> of(AlertRule rule) {
        return byRule.get(rule.name());
    }

    /** Forgets every rule's open alerts when this instance stops evaluating: connmon_alerts_open is the leader's. */
    void clear() {
        byRule.values().forEach(Map::clear);
    }

    /** Replaces what is held for the rule by what the database holds: a new term starts from there. */
    Uni<List<AlertRepository.OpenAlert>> load(AlertRule rule) {
        return repository.openAlerts(rule.name()).invoke(alerts -> {
            Map<String, AlertRepository.OpenAlert> open = of(rule);
            open.clear();
            alerts.forEach(alert -> open.put(alert.subject(), alert));
        });
    }

    /** Opens an alert for each client, whose condition holds since {@link AlertRule#conditionSince}. */
    Uni<Void> openFor(AlertRule rule, List<ClientState> clients, Instant now, Leadership.Term term) {
        return open(
                rule,
                clients.stream()
                        .map(state -> new AlertRepository.Opening(
                                state.id(), rule.conditionSince(state), mapper.valueToTree(state)))
                        .toList(),
                now,
                term);
    }

    Uni<Void> open(AlertRule rule, List<AlertRepository.Opening> openings, Instant now, Leadership.Term term) {
        if (openings.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Leadership.require(term)
                .chain(() -> repository.open(rule, openings, now))
                .invoke(opened -> {
                    for (Alert alert : opened) {
                        String subject = subject(alert);
                        of(rule).put(
                                        subject,
                                        new AlertRepository.OpenAlert(
                                                Long.parseLong(alert.id()), subject, Instant.parse(alert.since())));
                    }
                    log("opened", rule, opened);
                })
                .chain(opened -> announce(opened, topics::opened));
    }

    Uni<Void> resolve(AlertRule rule, List<AlertRepository.OpenAlert> alerts, Instant now, Leadership.Term term) {
        if (alerts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Leadership.require(term)
                .chain(() -> repository.resolve(
                        rule, alerts.stream().map(AlertRepository.OpenAlert::id).toList(), now))
                .invoke(resolved -> {
                    alerts.forEach(alert -> of(rule).remove(alert.subject()));
                    log("resolved", rule, resolved);
                })
                .chain(resolved -> announce(resolved, topics::resolved));
    }

    /**
     * The alerts' topics, one publish at a time: in order (an opening before its resolution), and no faster than the
     * broker acknowledges, which a catch-up of thousands at once would outrun (the emitter refuses what it cannot
     * buffer).
     */
    private static Uni<Void> announce(List<Alert> alerts, Function<Alert, Uni<Void>> publish) {
        return Multi.createFrom()
                .iterable(alerts)
                .onItem()
                .transformToUniAndConcatenate(alert -> publish.apply(alert))
                .collect()
                .last()
                .replaceWithVoid();
    }

    private static String subject(Alert alert) {
        return alert.clientId() == null ? "_fleet" : alert.clientId();
    }

    /** One line per batch: a catch-up on a large fleet opens thousands at once. */
    private static void log(String what, AlertRule rule, List<Alert> alerts) {
        if (alerts.size() == 1) {
            Log.infof("Alert %s %s: rule '%s', %s", alerts.get(0).id(), what, rule.name(), subject(alerts.get(0)));
        } else if (!alerts.isEmpty()) {
            Log.infof("%d alerts %s: rule '%s'", alerts.size(), what, rule.name());
        }
    }
}
