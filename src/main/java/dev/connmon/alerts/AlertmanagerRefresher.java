package dev.connmon.alerts;

import dev.connmon.cluster.Leadership;
import dev.connmon.config.ConnmonConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Sends the open alerts of each rule with an Alertmanager to it again every
 * {@code connmon.alerts.alertmanager-resend-every}, as Alertmanager expects of its clients: it resolves an alert it
 * has not heard of for its {@code resolve_timeout}, and a restarted Alertmanager knows only what it hears next. The
 * opening and the resolution are deliveries (retried, recorded); these repeats are not: a failed one is counted
 * ({@code connmon_alerts_alertmanager_resends_total}) and the next one comes an interval later.
 */
@ApplicationScoped
class AlertmanagerRefresher {
    /** Alerts per request, and per read of the alert table. */
    static final int BATCH = 500;

    private final AlertRules rules;
    private final OpenAlerts open;
    private final AlertRepository alerts;
    private final ChannelRequests requests;
    private final MeterRegistry metrics;
    private final Vertx vertx;
    private final Duration every;
    private volatile long timer = -1;
    private volatile boolean refreshing;

    AlertmanagerRefresher(
            AlertRules rules,
            OpenAlerts open,
            AlertRepository alerts,
            ChannelRequests requests,
            MeterRegistry metrics,
            Vertx vertx,
            ConnmonConfig config) {
        this.rules = rules;
        this.open = open;
        this.alerts = alerts;
        this.requests = requests;
        this.metrics = metrics;
        this.vertx = vertx;
        this.every = config.alerts().alertmanagerResendEvery();
    }

    void start(Leadership.Term term, WebhookClient client) {
        if (rules.all().stream().anyMatch(rule -> rule.target(Channel.ALERTMANAGER) != null)) {
            timer = vertx.setPeriodic(every.toMillis(), id -> refresh(term, client));
        }
    }

    void stop() {
        vertx.cancelTimer(timer);
        timer = -1;
    }

    private void refresh(Leadership.Term term, WebhookClient client) {
        if (refreshing || !term.current()) {
            return;
        }
        refreshing = true;
        Multi.createFrom()
                .iterable(rules.all())
                .filter(rule -> rule.target(Channel.ALERTMANAGER) != null)
                .onItem()
                .transformToUniAndConcatenate(rule -> Multi.createFrom()
                        .iterable(batches(rule))
                        .onItem()
                        .transformToUniAndConcatenate(ids -> resend(rule, ids, term, client))
                        .collect()
                        .last())
                .collect()
                .last()
                .subscribe()
                .with(ignored -> refreshing = false, failure -> {
                    refreshing = false;
                    Log.warnf("Alerts: cannot re-send open alerts to Alertmanager: %s", failure.getMessage());
                });
    }

    private List<List<Long>> batches(AlertRule rule) {
        List<Long> ids = open.of(rule).values().stream()
                .map(AlertRepository.OpenAlert::id)
                .sorted()
                .toList();
        List<List<Long>> batches = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += BATCH) {
            batches.add(ids.subList(from, Math.min(ids.size(), from + BATCH)));
        }
        return batches;
    }

    /**
     * One batch of the rule's open alerts, as they are stored. An alert that resolved while the batch was on its way
     * may have had its resolution delivered before this repeat arrived, which would make it fire again until the next
     * interval: such alerts are sent once more, resolved, after the repeat.
     */
    private Uni<Void> resend(AlertRule rule, List<Long> ids, Leadership.Term term, WebhookClient client) {
        if (!term.current()) {
            return Uni.createFrom().voidItem();
        }
        return alerts.byIds(ids).flatMap(stored -> {
            List<Alert> firing =
                    stored.stream().filter(a -> !AlertText.resolved(a)).toList();
            Set<Long> sent = firing.stream().map(a -> Long.parseLong(a.id())).collect(Collectors.toSet());
            return post(rule, firing, client)
                    .chain(() -> alerts.byIds(List.copyOf(sent)))
                    .chain(again -> post(
                            rule, again.stream().filter(AlertText::resolved).toList(), client));
        });
    }

    private Uni<Void> post(AlertRule rule, List<Alert> batch, WebhookClient client) {
        if (batch.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        ChannelTarget target = rule.target(Channel.ALERTMANAGER);
        ChannelRequests.Request request = requests.alertmanager(target, rule, batch.toArray(Alert[]::new));
        return Uni.createFrom()
                .deferred(() -> client.post(request.url(), request.headers(), request.body()))
                .onFailure()
                .recoverWithItem(failure -> new WebhookClient.Answer(null, WebhookClient.describe(failure)))
                .invoke(answer -> {
                    metrics.counter(
                                    "connmon.alerts.alertmanager.resends",
                                    "outcome",
                                    answer.delivered() ? "delivered" : "failed")
                            .increment(batch.size());
                    if (!answer.delivered()) {
                        Log.warnf(
                                "Alerts: re-sending %d open alerts of rule '%s' to Alertmanager failed: %s",
                                batch.size(), rule.name(), target.redact(answer.error()));
                    }
                })
                .replaceWithVoid();
    }
}
