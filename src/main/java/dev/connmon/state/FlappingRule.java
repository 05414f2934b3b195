package dev.connmon.state;

import dev.connmon.config.ConnmonConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Flapping (docs/api.md §10.3): a client is flapping at time T while at least {@code connmon.flapping.disconnects} of
 * its disconnects have an event time in (T - window, T]. With its disconnects t1 ≤ … ≤ tm, that holds from t(i)
 * until t(i-N+1) + window for each i, so the current episode ends at t(m-N+1) + window ({@code flapping_until}):
 * a client stops flapping by the passage of time alone, without a new event. {@code flapping_since} is the first
 * disconnect of the episode that made the count reach N, found by walking back while those intervals touch.
 * <p>
 * Recomputed in the ingest transaction, after the batch is stored, from the logged disconnects (a set: duplicates
 * are one row, and the log is the same in any arrival order), for the clients with a disconnect in the batch. The
 * walk looks back at most {@value #LOOK_BACK_WINDOWS} windows before the newest disconnect, which bounds the cost
 * for a client that flaps for days.
 */
@ApplicationScoped
public class FlappingRule {
    static final int LOOK_BACK_WINDOWS = 24;

    /** The disconnects of each client up to its newest one (the state's), within the look-back. */
    private static final String RECENT = """
            SELECT s.client_id, s.flapping_until, s.flapping_since, d.times
              FROM client_state s
              CROSS JOIN LATERAL (
                  SELECT array_agg(l.event_time ORDER BY l.event_time) AS times FROM connection_log l
                   WHERE l.client_id = s.client_id AND l.event = 'disconnected'
                     AND l.event_time > s.disconnect_time - make_interval(secs => $2)
                     AND l.event_time <= s.disconnect_time) d
             WHERE s.client_id = ANY($1)""";

    private static final String UPDATE = """
            WITH f AS (SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[])
                                  AS f(client_id, flap_until, flap_since)),
            flapped AS (
                UPDATE client_state s SET flapping_until = f.flap_until, flapping_since = f.flap_since
                  FROM f WHERE s.client_id = f.client_id
                RETURNING\s""" + StateChanges.COLUMNS.replace("client_id,", "s.client_id,") + ")\n"
            + StateChanges.RECORD_CHANGES.formatted("flapped", "false", "false");

    /** One client's current episode; both null when its disconnects make none. */
    record Episode(Instant until, Instant since) {
        static final Episode NONE = new Episode(null, null);
    }

    private final int disconnects;
    private final Duration window;

    @Inject
    FlappingRule(ConnmonConfig config) {
        this(config.flapping().disconnects(), config.flapping().window());
    }

    FlappingRule(int disconnects, Duration window) {
        if (disconnects < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("connmon.flapping.disconnects must be at least 1 and "
                    + "connmon.flapping.window positive, not " + disconnects + " and " + window);
        }
        this.disconnects = disconnects;
        this.window = window;
    }

    /** The defaults, for a repository made outside CDI (benchmarks). */
    static FlappingRule defaults() {
        return new FlappingRule(5, Duration.ofMinutes(10));
    }

    /** The episode that disconnects at {@code times} (ascending) make, as the class comment defines it. */
    Episode episode(List<Instant> times) {
        int m = times.size();
        if (m < disconnects) {
            return Episode.NONE;
        }
        Instant until = times.get(m - disconnects).plus(window);
        if (!times.get(m - 1).isBefore(until)) {
            return Episode.NONE;
        }
        Instant since = times.get(m - 1);
        for (int i = m - 2; i >= disconnects - 1; i--) {
            Instant end = times.get(i - disconnects + 1).plus(window);
            if (!times.get(i).isBefore(end) || end.isBefore(since)) {
                break;
            }
            since = times.get(i);
        }
        return new Episode(until, since);
    }

    /** Recomputes the episodes of {@code clientIds} in the ingest transaction; records a change where one moved. */
    Uni<RowSet<Row>> update(SqlConnection conn, Collection<String> clientIds, RowSet<Row> previous) {
        if (clientIds.isEmpty()) {
            return Uni.createFrom().item(previous);
        }
        double lookBack = window.toMillis() * LOOK_BACK_WINDOWS / 1000.0;
        return conn.preparedQuery(RECENT)
                .execute(Tuple.of(clientIds.toArray(String[]::new), lookBack))
                .chain(rows -> {
                    List<String> ids = new ArrayList<>();
                    List<OffsetDateTime> untils = new ArrayList<>();
                    List<OffsetDateTime> sinces = new ArrayList<>();
                    for (Row row : rows) {
                        OffsetDateTime[] times = row.getArrayOfOffsetDateTimes("times");
                        List<Instant> instants = new ArrayList<>();
                        if (times != null) {
                            for (OffsetDateTime t : times) {
                                instants.add(t.toInstant());
                            }
                        }
                        Episode episode = episode(instants);
                        OffsetDateTime until = utc(episode.until());
                        OffsetDateTime since = utc(episode.since());
                        if (!same(until, row.getOffsetDateTime("flapping_until"))
                                || !same(since, row.getOffsetDateTime("flapping_since"))) {
                            ids.add(row.getString("client_id"));
                            untils.add(until);
                            sinces.add(since);
                        }
                    }
                    if (ids.isEmpty()) {
                        return Uni.createFrom().item(previous);
                    }
                    return conn.preparedQuery(UPDATE)
                            .execute(Tuple.of(
                                    ids.toArray(String[]::new),
                                    untils.toArray(OffsetDateTime[]::new),
                                    sinces.toArray(OffsetDateTime[]::new)));
                });
    }

    private static boolean same(OffsetDateTime a, OffsetDateTime b) {
        return Objects.equals(a == null ? null : a.toInstant(), b == null ? null : b.toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
