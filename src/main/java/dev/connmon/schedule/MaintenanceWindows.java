package dev.connmon.schedule;

import dev.connmon.lifecycle.Instants;
import dev.connmon.query.InvalidParameterException;
import dev.connmon.query.QueryParameters;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateReader;
import dev.connmon.state.ClientCalendar;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Maintenance windows (docs/api.md §10.6): made, listed and ended through the API, kept in PostgreSQL, and the
 * current and future ones re-read every second into {@link ClientCalendar}, so that each instance follows the others'
 * changes within a second and a window begins and ends by time alone. Their number is bounded ({@link #MAX_WINDOWS}):
 * every list query and alert scan carries the filters of the windows in force.
 */
@Startup
@ApplicationScoped
public class MaintenanceWindows {
    /** At most this many windows end in the future, in force or to come. */
    public static final int MAX_WINDOWS = 100;

    public static final int MAX_REASON = 1000;
    public static final int MAX_FILTER = 4096;
    /** How many past windows one client's availability reads at most. */
    private static final int MAX_OVERLAPPING = 1000;

    private static final long REFRESH_MILLIS = 1000;

    /** A stretch of a client's time in maintenance, and why. */
    public record Interval(Instant from, Instant until, String reason) {}

    /** How old {@link #clientsInMaintenanceNow}'s count may be. */
    public static final Duration COUNT_AGE = Duration.ofSeconds(15);

    private final AtomicBoolean counting = new AtomicBoolean();
    private volatile long inMaintenance;
    private volatile long countedAt;

    private final MaintenanceRepository repository;
    private final StateReader reader;
    private final Vertx vertx;
    private volatile long timer = -1;
    private volatile boolean refreshing;

    MaintenanceWindows(MaintenanceRepository repository, StateReader reader, Vertx vertx) {
        this.repository = repository;
        this.reader = reader;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        refresh().await().indefinitely();
        timer = vertx.setPeriodic(REFRESH_MILLIS, id -> {
            if (!refreshing) {
                refreshing = true;
                refresh().subscribe().with(ignored -> refreshing = false, failure -> {
                    refreshing = false;
                    Log.warnf(
                            "Maintenance windows: cannot re-read them (%s); keeping the last known",
                            failure.getMessage());
                });
            }
        });
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    /** Re-reads the current and future windows into {@link ClientCalendar}. */
    Uni<Void> refresh() {
        return repository
                .currentAndFuture(Instant.now(), MAX_WINDOWS * 2)
                .invoke(stored -> {
                    List<ClientCalendar.Window> windows = new ArrayList<>(stored.size());
                    for (MaintenanceRepository.Stored w : stored) {
                        StateFilter filter = filterOf(w);
                        if (filter != null) {
                            windows.add(new ClientCalendar.Window(
                                    w.id(), w.from(), w.until(), filter::matchesId, filter::condition));
                        }
                    }
                    ClientCalendar.windows(windows);
                })
                .replaceWithVoid();
    }

    /**
     * Stores a window; each value that cannot be used is a 400 naming it ({@code filter}, {@code from},
     * {@code until}, {@code reason}), and more than {@link #MAX_WINDOWS} current and future windows a
     * {@link TooManyWindowsException}.
     */
    public Uni<MaintenanceWindow> create(String filter, String from, String until, String reason, String createdBy) {
        Instant now = Instant.now();
        if (filter == null) {
            throw new InvalidParameterException("filter", "is required (an empty one names every client)");
        }
        if (filter.length() > MAX_FILTER) {
            throw new InvalidParameterException("filter", "is longer than " + MAX_FILTER + " characters");
        }
        try {
            Expectations.identityFilter(filter);
        } catch (InvalidParameterException e) {
            throw new InvalidParameterException("filter", e.parameter() + " " + e.getMessage());
        }
        Instant start = from == null ? now : time("from", from, now);
        if (until == null) {
            throw new InvalidParameterException("until", "is required");
        }
        Instant end = time("until", until, now);
        if (!start.isBefore(end)) {
            throw new InvalidParameterException("until", "must be after from");
        }
        if (!end.isAfter(now)) {
            throw new InvalidParameterException("until", "is in the past: a window is planned time to come");
        }
        String why = reason == null ? "" : reason;
        if (why.length() > MAX_REASON) {
            throw new InvalidParameterException("reason", "is longer than " + MAX_REASON + " characters");
        }
        if (why.codePoints().anyMatch(c -> c == 0 || Character.getType(c) == Character.SURROGATE)) {
            throw new InvalidParameterException("reason", "holds U+0000 or an unpaired surrogate");
        }
        return repository
                .insert(filter, start, end, why, now.truncatedTo(ChronoUnit.MILLIS), createdBy, MAX_WINDOWS)
                .onItem()
                .ifNull()
                .failWith(TooManyWindowsException::new)
                .call(this::refresh)
                .map(MaintenanceWindows::view);
    }

    /** The windows in force now and those to come, by start. */
    public Uni<List<MaintenanceWindow>> current() {
        return repository
                .currentAndFuture(Instant.now(), MAX_WINDOWS * 2)
                .map(all -> all.stream().map(MaintenanceWindows::view).toList());
    }

    /** One window, past ones included; null if unknown. */
    public Uni<MaintenanceWindow> byId(long id) {
        return repository.byId(id).map(w -> w == null ? null : view(w));
    }

    /** Ends a window now (withdraws one not yet begun); false when there is none, or it is over. */
    public Uni<Boolean> end(long id) {
        return repository.end(id, Instant.now().truncatedTo(ChronoUnit.MILLIS)).call(this::refresh);
    }

    /**
     * How many clients are in a window now: one count of the list's {@code inMaintenance=true}, whose SQL is the
     * windows' filters (indexed: the id, the Watson type and id). No query at all while no window is in force, so a
     * gauge may call it at every scrape.
     */
    public Uni<Long> clientsInMaintenance() {
        if (ClientCalendar.active(Instant.now()).isEmpty()) {
            return Uni.createFrom().item(0L);
        }
        return reader.count(StateFilter.ALL.with(StateFilter.Field.IN_MAINTENANCE, Boolean.TRUE));
    }

    /**
     * The last {@link #clientsInMaintenance} count, for a gauge: never waits, never queries on the caller's thread. It
     * is 0 at once while no window is in force; otherwise a count older than {@link #COUNT_AGE} starts a new one in
     * the background (one at a time) and the last is returned meanwhile. A window on a quarter of a million-client
     * fleet is a scan of the table (~350 ms on the build machine), too much for every scrape.
     */
    public long clientsInMaintenanceNow() {
        if (ClientCalendar.active(Instant.now()).isEmpty()) {
            return 0;
        }
        long now = System.currentTimeMillis();
        if (now - countedAt > COUNT_AGE.toMillis() && counting.compareAndSet(false, true)) {
            clientsInMaintenance()
                    .subscribe()
                    .with(
                            n -> {
                                inMaintenance = n;
                                countedAt = System.currentTimeMillis();
                                counting.set(false);
                            },
                            failure -> counting.set(false));
        }
        return inMaintenance;
    }

    /** The stretches of [since, until) in which a window named the client, by start (they may overlap). */
    public Uni<List<Interval>> of(String clientId, Instant since, Instant until) {
        return repository.overlapping(since, until, MAX_OVERLAPPING).map(stored -> {
            List<Interval> intervals = new ArrayList<>();
            for (MaintenanceRepository.Stored w : stored) {
                StateFilter filter = filterOf(w);
                if (filter != null && filter.matchesId(clientId)) {
                    intervals.add(new Interval(w.from(), w.until(), w.reason()));
                }
            }
            return intervals;
        });
    }

    private static StateFilter filterOf(MaintenanceRepository.Stored w) {
        try {
            return Expectations.identityFilter(w.filter());
        } catch (InvalidParameterException e) {
            // only a filter that was valid is stored; one that a later version no longer reads names nobody
            Log.warnf(
                    "Maintenance window %d: its filter no longer reads (%s %s)", w.id(), e.parameter(), e.getMessage());
            return null;
        }
    }

    private static Instant time(String name, String value, Instant now) {
        if (value.strip().startsWith("P") || value.strip().startsWith("p")) {
            throw new InvalidParameterException(name, "is a point in time: an ISO 8601 time or epoch milliseconds");
        }
        return QueryParameters.time(name, value, now).truncatedTo(ChronoUnit.MILLIS);
    }

    private static MaintenanceWindow view(MaintenanceRepository.Stored w) {
        return new MaintenanceWindow(
                Long.toString(w.id()),
                w.filter(),
                Instants.format(w.from()),
                Instants.format(w.until()),
                w.reason(),
                Instants.format(w.createdAt()),
                w.from().isBefore(Instant.now().plusMillis(1)) && w.until().isAfter(Instant.now()));
    }
}
