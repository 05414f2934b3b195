package dev.connmon.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.cluster.Leadership;
import dev.connmon.live.ChangeFeed;
import dev.connmon.state.ClientState;
import dev.connmon.state.PagePosition;
import dev.connmon.state.StateFilter;
import dev.connmon.state.StateReader;
import dev.connmon.state.StateSort;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates the alert rules on the instance that leads them ({@link Leadership}), so that one episode opens one
 * alert however many instances run. Cheap by construction: a per-client condition is checked for the clients the
 * change feed names (their events) and for the clients whose condition has just outlasted {@code for} (an indexed
 * range of the state table between the last evaluation's cutoff and this one's), never by scanning the fleet; only
 * the first evaluation of a term reads every candidate, to catch up on what happened without a leader.
 */
@ApplicationScoped
public class AlertEvaluator {
    private static final long LEADER_LOCK = dev.connmon.cluster.AdvisoryLocks.ALERT_LEADER;
    private static final int PAGE = 500;
    private static final Duration WATCHED_COUNT_AGE = Duration.ofSeconds(10);

    private final AlertRules rules;
    private final AlertRepository repository;
    private final StateReader reader;
    private final ChangeFeed feed;
    private final WebhookSender webhooks;
    private final AlertTopics topics;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final Duration every;
    private final Timer evaluation;
    private final Leadership leadership;

    /** Per rule: the open alerts by subject (client id, or _fleet). Only the leader writes alerts, so this is exact. */
    private final Map<String, Map<String, AlertRepository.OpenAlert>> open = new ConcurrentHashMap<>();
    /** Clients whose state changed since the last evaluation: their state, or empty once deleted. */
    private final Map<String, Optional<ClientState>> changed = new ConcurrentHashMap<>();

    private final Map<String, Instant> watermarks = new HashMap<>();
    private final Map<String, long[]> watchedCounts = new HashMap<>();
    private volatile Cancellable changes;
    private volatile long timer = -1;
    private volatile boolean evaluating;

    AlertEvaluator(
            AlertRules rules,
            AlertRepository repository,
            StateReader reader,
            ChangeFeed feed,
            WebhookSender webhooks,
            AlertTopics topics,
            Pool pool,
            Vertx vertx,
            ObjectMapper mapper,
            MeterRegistry metrics,
            dev.connmon.config.ConnmonConfig config) {
        this.rules = rules;
        this.repository = repository;
        this.reader = reader;
        this.feed = feed;
        this.webhooks = webhooks;
        this.topics = topics;
        this.vertx = vertx;
        this.mapper = mapper;
        this.every = config.alerts().evaluateEvery();
        this.evaluation = Timer.builder("connmon.alerts.evaluation")
                .description("One evaluation of every alert rule")
                .register(metrics);
        for (AlertRule rule : rules.all()) {
            Map<String, AlertRepository.OpenAlert> byRule = new ConcurrentHashMap<>();
            open.put(rule.name(), byRule);
            dev.connmon.metrics.Gauges.register(
                    metrics, "connmon.alerts.open", Tags.of("rule", rule.name()), "Open alerts", byRule, Map::size);
        }
        this.leadership = new Leadership(
                "the alert rules",
                LEADER_LOCK,
                pool,
                vertx,
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                this::lead,
                this::stepDown);
    }

    void start(@Observes StartupEvent event) {
        if (!rules.all().isEmpty()) {
            leadership.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        leadership.stop();
        stepDown();
    }

    private void lead(Leadership.Term term) {
        changed.clear();
        watermarks.clear();
        watchedCounts.clear();
        // the feed first: whatever changes while the term catches up is looked at again
        changes = feed.since(feed.cursor())
                .subscribe()
                .with(
                        change -> changed.put(change.clientId(), Optional.ofNullable(change.state())),
                        failure -> Log.warnf(
                                "Alerts: the change feed failed (%s); evaluating from the state table",
                                failure.getMessage()));
        Multi.createFrom()
                .iterable(rules.all())
                .onItem()
                .transformToUniAndConcatenate(rule -> repository
                        .openAlerts(rule.name())
                        .invoke(alerts -> {
                            Map<String, AlertRepository.OpenAlert> byRule = open.get(rule.name());
                            byRule.clear();
                            alerts.forEach(alert -> byRule.put(alert.subject(), alert));
                        })
                        .flatMap(alerts -> reconcile(rule, alerts, term)))
                .collect()
                .last()
                .subscribe()
                .with(
                        ignored -> {
                            if (term.current()) {
                                webhooks.start(term);
                                timer = vertx.setPeriodic(every.toMillis(), id -> tick(term));
                            }
                        },
                        failure -> Log.warnf("Alerts: cannot load the open alerts: %s", failure.getMessage()));
    }

    private void stepDown() {
        vertx.cancelTimer(timer);
        timer = -1;
        webhooks.stop();
        Cancellable current = changes;
        if (current != null) {
            current.cancel();
        }
    }

    /** Open alerts whose client changed while nobody led: each is looked at once, by its current state. */
    private Uni<Void> reconcile(AlertRule rule, List<AlertRepository.OpenAlert> alerts, Leadership.Term term) {
        if (rule.condition() == Condition.FLEET_DROP) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom()
                .iterable(alerts)
                .onItem()
                .transformToUniAndConcatenate(alert -> reader.findById(alert.subject())
                        .invoke(state -> changed.putIfAbsent(alert.subject(), Optional.ofNullable(state))))
                .collect()
                .last()
                .replaceWithVoid();
    }

    private void tick(Leadership.Term term) {
        if (evaluating || !term.current()) {
            return;
        }
        evaluating = true;
        Instant now = Instant.now();
        Map<String, Optional<ClientState>> batch = new HashMap<>();
        for (String clientId : List.copyOf(changed.keySet())) {
            batch.put(clientId, changed.remove(clientId));
        }
        Timer.Sample sample = Timer.start();
        Multi.createFrom()
                .iterable(rules.all())
                .onItem()
                .transformToUniAndConcatenate(rule -> evaluate(rule, now, batch, term)
                        .onFailure()
                        .invoke(failure -> Log.warnf("Alert rule '%s': %s", rule.name(), failure.getMessage()))
                        .onFailure()
                        .recoverWithNull())
                .collect()
                .last()
                .subscribe()
                .with(
                        ignored -> {
                            sample.stop(evaluation);
                            evaluating = false;
                        },
                        failure -> evaluating = false);
    }

    private Uni<Void> evaluate(
            AlertRule rule, Instant now, Map<String, Optional<ClientState>> batch, Leadership.Term term) {
        if (rule.condition() == Condition.FLEET_DROP) {
            return fleetDrop(rule, now, term);
        }
        Map<String, AlertRepository.OpenAlert> byRule = open.get(rule.name());
        Instant cutoff = now.minus(rule.holdFor());
        StateFilter watched = rule.watched(now);
        Uni<Void> fromChanges = Multi.createFrom()
                .iterable(batch.entrySet())
                .onItem()
                .transformToUniAndConcatenate(entry -> {
                    ClientState state = entry.getValue().orElse(null);
                    AlertRepository.OpenAlert alert = byRule.get(entry.getKey());
                    Instant since = state == null ? null : rule.conditionSince(state);
                    if (alert != null && !alert.since().equals(since)) {
                        return resolve(rule, alert, now, term);
                    }
                    if (alert == null && since != null && !since.isAfter(cutoff) && watched.matches(state)) {
                        return open(rule, state, since, now, term);
                    }
                    return Uni.createFrom().voidItem();
                })
                .collect()
                .last()
                .replaceWithVoid();
        if (rule.condition() == Condition.FLAPPING) {
            // a client stops flapping by the passage of time alone, with no change to tell: open alerts are re-read
            return fromChanges
                    .chain(() -> stillFlapping(rule, now, term))
                    .chain(() -> openPage(rule, rule.candidates(now, null), StateSort.BY_ID, null, now, term));
        }
        Instant after = watermarks.get(rule.name());
        StateSort sort = new StateSort(
                rule.condition() == Condition.OFFLINE
                        ? StateSort.Field.LAST_DISCONNECT_TIME
                        : StateSort.Field.LAST_ACTIVITY_TIME,
                false);
        return fromChanges
                .chain(() -> openPage(
                        rule, rule.candidates(now, after == null ? null : after.minusMillis(1)), sort, null, now, term))
                .invoke(() -> watermarks.put(rule.name(), cutoff));
    }

    private Uni<Void> stillFlapping(AlertRule rule, Instant now, Leadership.Term term) {
        return Multi.createFrom()
                .iterable(List.copyOf(open.get(rule.name()).values()))
                .onItem()
                .transformToUniAndConcatenate(alert -> reader.findById(alert.subject())
                        .flatMap(state -> state != null && alert.since().equals(rule.conditionSince(state))
                                ? Uni.createFrom().voidItem()
                                : resolve(rule, alert, now, term)))
                .collect()
                .last()
                .replaceWithVoid();
    }

    /** The candidates that crossed {@code for} since the last evaluation, a page at a time. */
    private Uni<Void> openPage(
            AlertRule rule, StateFilter filter, StateSort sort, PagePosition after, Instant now, Leadership.Term term) {
        return reader.list(filter, sort, after, PAGE)
                .flatMap(page -> Multi.createFrom()
                        .iterable(page.results())
                        .onItem()
                        .transformToUniAndConcatenate(state -> {
                            Instant since = rule.conditionSince(state);
                            return open.get(rule.name()).containsKey(state.id())
                                            || since == null
                                            || since.isAfter(now.minus(rule.holdFor()))
                                    ? Uni.createFrom().voidItem()
                                    : open(rule, state, since, now, term);
                        })
                        .collect()
                        .last()
                        .flatMap(ignored -> page.next() == null
                                ? Uni.createFrom().voidItem()
                                : openPage(rule, filter, sort, page.next(), now, term)));
    }

    private Uni<Void> fleetDrop(AlertRule rule, Instant now, Leadership.Term term) {
        long[] cached = watchedCounts.get(rule.name());
        Uni<Long> watched = cached != null && now.toEpochMilli() - cached[1] < WATCHED_COUNT_AGE.toMillis()
                ? Uni.createFrom().item(cached[0])
                : reader.count(rule.watched(now))
                        .invoke(n -> watchedCounts.put(rule.name(), new long[] {n, now.toEpochMilli()}));
        return watched.flatMap(n -> reader.count(rule.candidates(now, null)).flatMap(dropped -> {
            AlertRepository.OpenAlert alert = open.get(rule.name()).get("_fleet");
            boolean holds = n > 0 && (double) dropped / n >= rule.threshold();
            if (holds && alert == null) {
                return Leadership.require(term)
                        .chain(() -> repository.open(
                                rule,
                                null,
                                now,
                                now,
                                mapper.createObjectNode().put("watched", n).put("dropped", dropped)))
                        .invoke(opened -> remember(rule, opened, now))
                        .replaceWithVoid();
            }
            if (!holds && alert != null) {
                return resolve(rule, alert, now, term);
            }
            return Uni.createFrom().voidItem();
        }));
    }

    private Uni<Void> open(AlertRule rule, ClientState state, Instant since, Instant now, Leadership.Term term) {
        return Leadership.require(term)
                .chain(() -> repository.open(rule, state.id(), since, now, mapper.valueToTree(state)))
                .invoke(opened -> remember(rule, opened, since))
                .replaceWithVoid();
    }

    private void remember(AlertRule rule, Alert opened, Instant since) {
        if (opened != null) {
            String subject = opened.clientId() == null ? "_fleet" : opened.clientId();
            open.get(rule.name())
                    .put(subject, new AlertRepository.OpenAlert(Long.parseLong(opened.id()), subject, since));
            Log.infof("Alert %s opened: rule '%s', %s", opened.id(), rule.name(), subject);
            topics.opened(opened);
        }
    }

    private Uni<Void> resolve(AlertRule rule, AlertRepository.OpenAlert alert, Instant now, Leadership.Term term) {
        return Leadership.require(term)
                .chain(() -> repository.resolve(rule, alert.id(), now))
                .invoke(resolved -> {
                    open.get(rule.name()).remove(alert.subject());
                    if (resolved != null) {
                        Log.infof("Alert %s resolved: rule '%s', %s", resolved.id(), rule.name(), alert.subject());
                        topics.resolved(resolved);
                    }
                })
                .replaceWithVoid();
    }
}
