package dev.connmon.schedule;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Maintenance windows in PostgreSQL (table maintenance_window), so that every instance and every restart sees them. */
@ApplicationScoped
public class MaintenanceRepository {
    private static final String COLUMNS = "id, filter, starts_at, ends_at, reason, created_at";

    /** A stored window: times as stored (milliseconds), the filter as given. */
    public record Stored(long id, String filter, Instant from, Instant until, String reason, Instant createdAt) {}

    private final Pool pool;

    MaintenanceRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Stores a window unless {@code max} windows already end after {@code now}; null then. The count and the insert
     * are one statement, so one instance's burst cannot pass the bound (instances racing may pass it by a few).
     */
    Uni<Stored> insert(
            String filter, Instant from, Instant until, String reason, Instant now, String createdBy, int max) {
        return pool.preparedQuery("""
                        INSERT INTO maintenance_window (filter, starts_at, ends_at, reason, created_at, created_by)
                        SELECT $1, $2, $3, $4, $5, $6
                         WHERE (SELECT count(*) FROM maintenance_window WHERE ends_at > $5) < $7
                        RETURNING\s""" + COLUMNS)
                .execute(Tuple.from(new Object[] {filter, utc(from), utc(until), reason, utc(now), createdBy, max}))
                .map(rows -> rows.iterator().hasNext() ? stored(rows.iterator().next()) : null);
    }

    /** The windows that end after {@code now} (in force or to come), by start. */
    Uni<List<Stored>> currentAndFuture(Instant now, int max) {
        return pool.preparedQuery("SELECT " + COLUMNS
                        + " FROM maintenance_window WHERE ends_at > $1 ORDER BY starts_at, id LIMIT $2")
                .execute(Tuple.of(utc(now), max))
                .map(MaintenanceRepository::all);
    }

    /** The windows that overlap [since, until), by start: what a client's availability over that time reads. */
    public Uni<List<Stored>> overlapping(Instant since, Instant until, int max) {
        return pool.preparedQuery("SELECT " + COLUMNS + """
                         FROM maintenance_window WHERE ends_at > $1 AND starts_at < $2
                        ORDER BY starts_at, id LIMIT $3""")
                .execute(Tuple.of(utc(since), utc(until), max))
                .map(MaintenanceRepository::all);
    }

    Uni<Stored> byId(long id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM maintenance_window WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext() ? stored(rows.iterator().next()) : null);
    }

    /**
     * Ends a window at {@code now}: one not yet begun is withdrawn, one in force ends now. False when there is no such
     * window, or it is over already.
     */
    Uni<Boolean> end(long id, Instant now) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("DELETE FROM maintenance_window WHERE id = $1 AND starts_at >= $2 RETURNING id")
                .execute(Tuple.of(id, utc(now)))
                .chain(deleted -> deleted.rowCount() > 0
                        ? Uni.createFrom().item(true)
                        : connection
                                .preparedQuery("UPDATE maintenance_window SET ends_at = $2"
                                        + " WHERE id = $1 AND starts_at < $2 AND ends_at > $2")
                                .execute(Tuple.of(id, utc(now)))
                                .map(updated -> updated.rowCount() > 0)));
    }

    private static List<Stored> all(RowSet<Row> rows) {
        List<Stored> windows = new ArrayList<>(rows.size());
        rows.forEach(row -> windows.add(stored(row)));
        return windows;
    }

    private static Stored stored(Row row) {
        return new Stored(
                row.getLong("id"),
                row.getString("filter"),
                row.getOffsetDateTime("starts_at").toInstant(),
                row.getOffsetDateTime("ends_at").toInstant(),
                row.getString("reason"),
                row.getOffsetDateTime("created_at").toInstant());
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
