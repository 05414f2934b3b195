package dev.connmon.query;

import dev.connmon.lifecycle.Instants;
import dev.connmon.lifecycle.LogMessages;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** Reads the connection log, newest first. */
@ApplicationScoped
public class LogReader {
    private static final String COLUMNS = """
            event_time, event, initiator, reason_code, reason, ip_address, node, protocol_version, source, dialect""";

    private final Pool pool;

    LogReader(Pool pool) {
        this.pool = pool;
    }

    /** The log of one client id. */
    public Uni<List<LogEntry>> byClientId(String clientId, Instant since, Instant until, int limit) {
        List<Object> params = new ArrayList<>(List.of(clientId));
        return query("client_id = $1", params, since, until, limit);
    }

    /** The log of a Watson device or gateway ({@code d:{org}:{typeId}:{deviceId}}), whatever its organization. */
    public Uni<List<LogEntry>> byDevice(String typeId, String deviceId, Instant since, Instant until, int limit) {
        List<Object> params = new ArrayList<>(List.of(typeId, deviceId));
        return query("device_type = $1 AND device_id = $2", params, since, until, limit);
    }

    /** Where a page of the log ends (newest first): the last entry's time and id. */
    public record Cursor(Instant time, long id) {}

    /** A page of the log and the cursor after it, null on the last page. */
    public record Page(List<LogEntry> entries, Cursor next) {}

    /** A page of one client's log after {@code after} (null: from the newest), for exports of every entry. */
    public Uni<Page> pageByClientId(String clientId, Instant since, Instant until, Cursor after, int limit) {
        return page("client_id = $1", new ArrayList<>(List.of(clientId)), since, until, after, limit);
    }

    /** A page of a Watson device's log, as {@link #byDevice}. */
    public Uni<Page> pageByDevice(
            String typeId, String deviceId, Instant since, Instant until, Cursor after, int limit) {
        return page(
                "device_type = $1 AND device_id = $2",
                new ArrayList<>(List.of(typeId, deviceId)),
                since,
                until,
                after,
                limit);
    }

    private Uni<Page> page(String where, List<Object> params, Instant since, Instant until, Cursor after, int limit) {
        String condition = where;
        if (after != null) {
            params.add(after.time().atOffset(ZoneOffset.UTC));
            params.add(after.id());
            condition += " AND (event_time, id) < ($" + (params.size() - 1) + ", $" + params.size() + ")";
        }
        StringBuilder sql = select(condition, params, since, until, limit, ", id");
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<LogEntry> entries = new ArrayList<>();
            Cursor next = null;
            for (Row row : rows) {
                entries.add(toEntry(row));
                next = new Cursor(row.getOffsetDateTime("event_time").toInstant(), row.getLong("id"));
            }
            return new Page(entries, entries.size() == limit ? next : null);
        });
    }

    private Uni<List<LogEntry>> query(String where, List<Object> params, Instant since, Instant until, int limit) {
        StringBuilder sql = select(where, params, since, until, limit, "");
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(params)).map(rows -> {
            List<LogEntry> entries = new ArrayList<>();
            rows.forEach(row -> entries.add(toEntry(row)));
            return entries;
        });
    }

    private static StringBuilder select(
            String where, List<Object> params, Instant since, Instant until, int limit, String extraColumns) {
        StringBuilder sql =
                new StringBuilder("SELECT " + COLUMNS + extraColumns + " FROM connection_log WHERE " + where);
        if (since != null) {
            params.add(since.atOffset(ZoneOffset.UTC));
            sql.append(" AND event_time >= $").append(params.size());
        }
        if (until != null) {
            params.add(until.atOffset(ZoneOffset.UTC));
            sql.append(" AND event_time < $").append(params.size());
        }
        params.add(limit);
        sql.append(" ORDER BY event_time DESC, id DESC LIMIT $").append(params.size());
        return sql;
    }

    private static LogEntry toEntry(Row row) {
        String event = row.getString("event");
        String initiator = row.getString("initiator");
        Integer code = row.getInteger("reason_code");
        String reason = row.getString("reason");
        String ip = row.getString("ip_address");
        return new LogEntry(
                Instants.format(row.getOffsetDateTime("event_time").toInstant()),
                LogMessages.message(event, initiator, code, reason, ip, row.getString("protocol_version")),
                event,
                initiator,
                code,
                reason,
                ip,
                row.getString("node"),
                row.getString("source"),
                row.getString("dialect"));
    }
}
