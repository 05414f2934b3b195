package dev.connmon.fleet;

import dev.connmon.cluster.AdvisoryLocks;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.metrics.Gauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes the fleet timeline's samples (docs/api.md §10.2, table fleet_sample): every
 * {@code connmon.timeline.sample-interval}, the connected and disconnected counts per (client type, device type).
 * Whichever instance comes first in an interval writes it, the others find it written (an advisory lock and a check
 * in one statement), so several instances write one sample per interval. Samples and per-minute counters older than
 * {@code connmon.log.retention} are deleted in the same pass.
 * <p>
 * After each pass, {@link FleetGauges} reads the fleet gauges from the newest sample.
 * <p>
 * Metrics: {@code connmon_timeline_sample_lag_seconds} (now minus the newest sample of any instance: how stale the
 * timeline's counts can be; grows when no instance samples), {@code connmon_timeline_sample_seconds} (one pass).
 */
@ApplicationScoped
public class TimelineSampler {
    static final String SAMPLE = """
            WITH slot AS (SELECT to_timestamp(floor(extract(epoch FROM now()) / $1) * $1) AS start),
            go AS (SELECT 1 FROM slot WHERE pg_try_advisory_xact_lock(TIMELINE_SAMPLE)
                      AND NOT EXISTS (SELECT 1 FROM fleet_sample f, slot
                                       WHERE f.sampled_at >= slot.start AND f.client_type = ''))
            INSERT INTO fleet_sample (sampled_at, client_type, device_type, connected, disconnected)
            SELECT now(), '', '', 0, 0 FROM go
            UNION ALL
            SELECT now(), client_type, coalesce(device_type, ''),
                   count(*) FILTER (WHERE connection_status = 'connected'),
                   count(*) FILTER (WHERE connection_status = 'disconnected')
              FROM client_state WHERE EXISTS (SELECT 1 FROM go)
             GROUP BY client_type, coalesce(device_type, '')""".replace("TIMELINE_SAMPLE", Long.toString(AdvisoryLocks.TIMELINE_SAMPLE));

    private final Pool pool;
    private final Vertx vertx;
    private final Duration interval;
    private final Duration retention;
    private final Timer passes;
    private final FleetGauges gauges;
    private final AtomicReference<Instant> newest = new AtomicReference<>();
    private long timer = -1;

    TimelineSampler(Pool pool, Vertx vertx, MeterRegistry metrics, ConnmonConfig config, FleetGauges gauges) {
        Duration interval = config.timeline().sampleInterval();
        Duration retention = config.log().retention();
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "connmon.timeline.sample-interval must be at least PT1S, not " + interval);
        }
        this.pool = pool;
        this.vertx = vertx;
        this.interval = interval;
        this.retention = retention;
        this.gauges = gauges;
        this.passes = Timer.builder("connmon.timeline.sample")
                .description("One pass of the timeline sampler")
                .register(metrics);
        Gauges.register(
                metrics,
                "connmon.timeline.sample.lag",
                Tags.empty(),
                "Now minus the newest fleet timeline sample (of any instance)",
                "seconds",
                this,
                TimelineSampler::lagSeconds);
    }

    public Duration interval() {
        return interval;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(1000, interval.toMillis(), id -> pass());
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
    }

    private double lagSeconds() {
        Instant last = newest.get();
        return last == null ? Double.NaN : Duration.between(last, Instant.now()).toMillis() / 1000.0;
    }

    private void pass() {
        Timer.Sample sample = Timer.start();
        sample().chain(this::trim)
                .subscribe()
                .with(
                        ignored -> {
                            sample.stop(passes);
                            refreshGauges();
                        },
                        failure -> {
                            Log.warnf("Cannot sample the fleet timeline: %s", failure.getMessage());
                            refreshGauges();
                        });
    }

    /** After the pass, so that the fleet gauges read the sample it wrote (or found written by another instance). */
    private void refreshGauges() {
        gauges.refresh()
                .subscribe()
                .with(
                        ignored -> {},
                        failure -> Log.warnf("Cannot refresh the fleet metrics: %s", failure.getMessage()));
    }

    /** Writes this interval's sample unless an instance already did; emits the newest sample's time. */
    public Uni<Instant> sample() {
        return pool.withTransaction(
                        conn -> conn.preparedQuery(SAMPLE).execute(Tuple.of((double) interval.toMillis() / 1000.0)))
                .chain(() -> pool.query("SELECT max(sampled_at) AS newest FROM fleet_sample WHERE client_type = ''")
                        .execute())
                .map(rows -> {
                    OffsetDateTime at = rows.iterator().next().getOffsetDateTime("newest");
                    Instant instant = at == null ? null : at.toInstant();
                    newest.set(instant);
                    return instant;
                });
    }

    private Uni<Void> trim(Instant ignored) {
        return pool.preparedQuery("DELETE FROM fleet_sample WHERE sampled_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) retention.toSeconds()))
                .chain(() -> pool.preparedQuery(
                                "DELETE FROM fleet_event_minute WHERE minute < now() - make_interval(secs => $1)")
                        .execute(Tuple.of((double) retention.toSeconds())))
                .replaceWithVoid();
    }
}
