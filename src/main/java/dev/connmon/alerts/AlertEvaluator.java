package dev.connmon.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.cluster.AdvisoryLocks;
import dev.connmon.cluster.Leadership;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.live.ChangeFeed;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateReader;
import dev.connmon.schedule.Expectations;
import dev.connmon.state.ClientState;
import dev.connmon.state.OwnSessions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Evaluates the alert rules on the instance that leads them ({@link Leadership}), so that one episode opens one
 * alert however many instances run. Cheap by construction: a per-client condition is checked for the clients the
 * change feed names (their events) and for the clients whose condition has just outlasted {@code for} (an indexed
 * range of the state table between the last scan's cutoff and this one's), never by scanning the fleet; only the
 * first scan of a term reads every candidate, to catch up on what happened without a leader, and it does so a few
 * pages per evaluation ({@link CandidateScan}), opening each page's alerts in one transaction.
 */
@ApplicationScoped
public class AlertEvaluator {
    private static final long LEADER_LOCK = AdvisoryLocks.ALERT_LEADER;
    private static final Duration WATCHED_COUNT_AGE = Duration.ofSeconds(10);

    private final AlertRules rules;
    private final OpenAlerts open;
    private final StateReader reader;
    private final ChangeFeed feed;
    private final WebhookSender webhooks;
    private final Vertx vertx;
    private final ObjectMapper mapper;
    private final Duration every;
    private final Timer evaluation;
    private final Leadership leadership;

    /** Clients whose state changed since the last evaluation: their state, or empty once deleted. */
    private final Map<String, Optional<ClientState>> changed = new ConcurrentHashMap<>();

    private final CandidateScans scans;
    private final Map<String, long[]> watchedCounts = new HashMap<>();
    private volatile Cancellable changes;
    private volatile long timer = -1;
    private volatile boolean evaluating;

    AlertEvaluator(
            AlertRules rules,
            OpenAlerts open,
            StateReader reader,
            ChangeFeed feed,
            WebhookSender webhooks,
            OwnSessions sessions,
            Vertx vertx,
            ObjectMapper mapper,
            MeterRegistry metrics,
            ConnmonConfig config,
            Expectations expectations) {
        this.scans = new CandidateScans(expectations.all());
        this.rules = rules;
        this.open = open;
        this.reader = reader;
        this.feed = feed;
        this.webhooks = webhooks;
        this.vertx = vertx;
        this.mapper = mapper;
        this.every = config.alerts().evaluateEvery();
        this.evaluation = Timer.builder("connmon.alerts.evaluation")
                .description("One evaluation of every alert rule")
                .register(metrics);
        this.leadership = new Leadership(
                "the alert rules",
                LEADER_LOCK,
                sessions::connect,
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
        scans.clear();
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
                .transformToUniAndConcatenate(rule -> open.load(rule).flatMap(alerts -> reconcile(rule, alerts, term)))
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
        open.clear();
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
        scans.windowsAt(now);
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
        Map<String, AlertRepository.OpenAlert> byRule = open.of(rule);
        Instant cutoff = now.minus(rule.holdFor());
        StateFilter watched = rule.watched(now);
        List<AlertRepository.OpenAlert> over = new ArrayList<>();
        List<ClientState> due = new ArrayList<>();
        batch.forEach((clientId, current) -> {
            ClientState state = current.orElse(null);
            AlertRepository.OpenAlert alert = byRule.get(clientId);
            Instant since = state == null ? null : rule.conditionSince(state);
            if (alert != null && !alert.since().equals(since)) {
                over.add(alert);
            } else if (alert == null && since != null && !since.isAfter(cutoff) && watched.matches(state)) {
                due.add(state);
            }
        });
        Uni<Void> fromChanges = open.resolve(rule, over, now, term).chain(() -> open.openFor(rule, due, now, term));
        if (rule.condition() == Condition.FLAPPING) {
            // a client stops flapping by the passage of time alone, with no change to tell: open alerts are re-read
            fromChanges = fromChanges.chain(() -> stillFlapping(rule, now, term));
        }
        return fromChanges.chain(() -> Multi.createFrom()
                .iterable(scans.of(rule, now))
                .onItem()
                .transformToUniAndConcatenate(pass ->
                        scan(rule, pass.getKey(), pass.getValue(), now, term, CandidateScan.PAGES_PER_EVALUATION))
                .collect()
                .last()
                .replaceWithVoid());
    }

    private Uni<Void> stillFlapping(AlertRule rule, Instant now, Leadership.Term term) {
        List<AlertRepository.OpenAlert> over = new ArrayList<>();
        return Multi.createFrom()
                .iterable(List.copyOf(open.of(rule).values()))
                .onItem()
                .transformToUniAndConcatenate(alert -> reader.findById(alert.subject())
                        .invoke(state -> {
                            if (state == null || !alert.since().equals(rule.conditionSince(state))) {
                                over.add(alert);
                            }
                        }))
                .collect()
                .last()
                .chain(() -> open.resolve(rule, over, now, term));
    }

    /** Up to {@code pages} pages of the rule's scan; its last page moves the watermark to where it started. */
    private Uni<Void> scan(
            AlertRule rule, String key, CandidateScan scan, Instant now, Leadership.Term term, int pages) {
        return reader.list(scan.filter(), scan.sort(), scan.position(), CandidateScan.PAGE)
                .flatMap(page -> {
                    Map<String, AlertRepository.OpenAlert> byRule = open.of(rule);
                    Instant cutoff = now.minus(rule.holdFor());
                    List<ClientState> due = page.results().stream()
                            .filter(state -> {
                                Instant since = rule.conditionSince(state);
                                return !byRule.containsKey(state.id()) && since != null && !since.isAfter(cutoff);
                            })
                            .toList();
                    return open.openFor(rule, due, now, term).chain(() -> {
                        if (page.next() == null) {
                            scans.done(key, scan);
                            return Uni.createFrom().voidItem();
                        }
                        scan.advance(page.next());
                        return pages > 1
                                ? scan(rule, key, scan, now, term, pages - 1)
                                : Uni.createFrom().voidItem();
                    });
                });
    }

    private Uni<Void> fleetDrop(AlertRule rule, Instant now, Leadership.Term term) {
        long[] cached = watchedCounts.get(rule.name());
        Uni<Long> watched = cached != null && now.toEpochMilli() - cached[1] < WATCHED_COUNT_AGE.toMillis()
                ? Uni.createFrom().item(cached[0])
                : reader.count(rule.watched(now))
                        .invoke(n -> watchedCounts.put(rule.name(), new long[] {n, now.toEpochMilli()}));
        return watched.flatMap(n -> reader.count(rule.candidates(now, null)).flatMap(dropped -> {
            AlertRepository.OpenAlert alert = open.of(rule).get("_fleet");
            boolean holds = n > 0 && (double) dropped / n >= rule.threshold();
            if (holds && alert == null) {
                JsonNode counts = mapper.createObjectNode().put("watched", n).put("dropped", dropped);
                return open.open(rule, List.of(new AlertRepository.Opening(null, now, counts)), now, term);
            }
            if (!holds && alert != null) {
                return open.resolve(rule, List.of(alert), now, term);
            }
            return Uni.createFrom().voidItem();
        }));
    }
}
