package dev.connmon.fleet;

import dev.connmon.fleet.AvailabilityCalculator.LogEvent;
import dev.connmon.lifecycle.LogMessages;
import dev.connmon.schedule.MaintenanceWindows;
import dev.connmon.state.ClientCalendar;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what one client's availability is computed from (docs/api.md §10.1). Every query names the client and bounds
 * the event time, so it is a range of the log's (client_id, event_time) index in the day partitions of the window
 * only: a client that reconnected every minute for 30 days costs one index range of its own rows, not a scan.
 */
@ApplicationScoped
public class AvailabilityReader {
    /** The newest connects and disconnects before the window: enough to know which connection was open then. */
    private static final int BEFORE = 10;

    private final Pool pool;
    private final MaintenanceWindows maintenance;

    AvailabilityReader(Pool pool, MaintenanceWindows maintenance) {
        this.pool = pool;
        this.maintenance = maintenance;
    }

    /** The availability of {@code clientId} over [since, until), with buckets of {@code step}; null if unknown. */
    public Uni<Availability> of(String clientId, Instant since, Instant until, Duration step) {
        return of(clientId, since, until, step, false);
    }

    /** As above; with {@code segments}, the window's stretches in each status and what began them. */
    public Uni<Availability> of(String clientId, Instant since, Instant until, Duration step, boolean segments) {
        OffsetDateTime from = since.atOffset(ZoneOffset.UTC);
        OffsetDateTime to = until.atOffset(ZoneOffset.UTC);
        return pool.preparedQuery("SELECT unconfirmed_since FROM client_state WHERE client_id = $1")
                .execute(Tuple.of(clientId))
                .chain(state -> {
                    if (!state.iterator().hasNext()) {
                        return Uni.createFrom().nullItem();
                    }
                    OffsetDateTime unconfirmed = state.iterator().next().getOffsetDateTime("unconfirmed_since");
                    Uni<RowSet<Row>> before = pool.preparedQuery("""
                            SELECT event_time, event, initiator, connection_id, reason_code, reason, ip_address, protocol_version
                              FROM connection_log
                             WHERE client_id = $1 AND event_time < $2 AND event IN ('connected', 'disconnected')
                             ORDER BY event_time DESC, id DESC LIMIT $3""").execute(Tuple.of(clientId, from, BEFORE));
                    Uni<RowSet<Row>> window = pool.preparedQuery("""
                            SELECT event_time, event, initiator, connection_id, reason_code, reason, ip_address, protocol_version
                              FROM connection_log
                             WHERE client_id = $1 AND event_time >= $2 AND event_time < $3""").execute(Tuple.of(clientId, from, to));
                    Uni<List<AvailabilityCalculator.Maintenance>> planned = maintenance
                            .of(clientId, since, until)
                            .map(intervals -> intervals.stream()
                                    .map(i -> new AvailabilityCalculator.Maintenance(i.from(), i.until(), i.reason()))
                                    .toList());
                    return Uni.combine()
                            .all()
                            .unis(before, window, planned)
                            .asTuple()
                            // the expectations as configured now judge the whole window
                            .map(rows -> AvailabilityCalculator.compute(
                                    clientId,
                                    since,
                                    until,
                                    events(rows.getItem1()),
                                    events(rows.getItem2()),
                                    unconfirmed == null ? null : unconfirmed.toInstant(),
                                    step,
                                    segments,
                                    ClientCalendar.sleep(clientId),
                                    rows.getItem3()));
                });
    }

    private static List<LogEvent> events(RowSet<Row> rows) {
        List<LogEvent> events = new ArrayList<>(rows.size());
        for (Row row : rows) {
            events.add(new LogEvent(
                    row.getOffsetDateTime("event_time").toInstant(),
                    row.getString("event"),
                    row.getString("initiator"),
                    row.getString("connection_id"),
                    LogMessages.message(
                            row.getString("event"),
                            row.getString("initiator"),
                            row.getInteger("reason_code"),
                            row.getString("reason"),
                            row.getString("ip_address"),
                            row.getString("protocol_version"))));
        }
        return events;
    }
}
