package dev.connmon.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connmon.cluster.AdvisoryLocks;
import dev.connmon.lifecycle.Instants;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Alerts and their deliveries in PostgreSQL. An alert and the deliveries that announce it are written in one
 * transaction (an outbox), so a delivery is never lost nor sent for an alert that was not stored; unique indexes make
 * a second opening of one episode a no-op, whichever instance tries.
 */
@ApplicationScoped
public class AlertRepository {
    static final String OPENED = "alert.opened";
    static final String RESOLVED = "alert.resolved";
    /** Alert events become visible in id order: their writers take turns (as the change feed's do). */
    private static final String LOCK_EVENTS = "SELECT pg_advisory_xact_lock(" + AdvisoryLocks.ALERT_EVENTS + ")";

    private static final String COLUMNS =
            "id, rule, condition, client_id, since, opened_at, resolved_at, client_state::text AS client_state";

    /** An open alert as the evaluator tracks it. */
    record OpenAlert(long id, String subject, Instant since) {}

    /** One event of the alerts' stream: its id, and the alert then (as JSON and as an object). */
    public record AlertEvent(long id, String json, Alert alert) {}

    private final Pool pool;
    private final ObjectMapper mapper;

    AlertRepository(Pool pool, ObjectMapper mapper) {
        this.pool = pool;
        this.mapper = mapper;
    }

    /** An alert to open: its client (null for the fleet), since when its condition holds, the state behind it. */
    record Opening(String clientId, Instant since, JsonNode clientState) {}

    /**
     * Opens the alerts of a batch of episodes in one transaction; an episode that already has its alert (or whose
     * subject has an open one) is left out of the result.
     */
    Uni<List<Alert>> open(AlertRule rule, List<Opening> openings, Instant at) {
        if (openings.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Tuple> rows = openings.stream()
                .map(opening -> Tuple.tuple()
                        .addString(rule.name())
                        .addString(rule.condition().wireName())
                        .addString(opening.clientId())
                        .addString(opening.clientId() == null ? "_fleet" : opening.clientId())
                        .addOffsetDateTime(utc(opening.since()))
                        .addOffsetDateTime(utc(at))
                        .addString(opening.clientState().toString()))
                .toList();
        return changeAll(rule, """
                INSERT INTO alert (rule, condition, client_id, subject, since, opened_at, client_state)
                VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb)
                ON CONFLICT DO NOTHING RETURNING\s""" + COLUMNS, rows, OPENED, 1, at);
    }

    /** Resolves a batch of open alerts in one transaction; those resolved already are left out of the result. */
    Uni<List<Alert>> resolve(AlertRule rule, List<Long> ids, Instant at) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return changeAll(
                rule,
                "UPDATE alert SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL RETURNING " + COLUMNS,
                ids.stream().map(id -> Tuple.of(id, utc(at))).toList(),
                RESOLVED,
                2,
                at);
    }

    /**
     * One statement per alert, pipelined in one transaction, then the stream's event and the webhook's delivery of
     * each alert it changed: a batch costs one commit, not one per alert.
     */
    private Uni<List<Alert>> changeAll(
            AlertRule rule, String statement, List<Tuple> rows, String type, int seq, Instant at) {
        return pool.withTransaction(connection -> connection
                .query(LOCK_EVENTS)
                .execute()
                .chain(() -> connection.preparedQuery(statement).executeBatch(rows))
                .flatMap(results -> {
                    List<Alert> changed = new ArrayList<>();
                    for (RowSet<Row> result = results; result != null; result = result.next()) {
                        result.forEach(row -> changed.add(toAlert(row)));
                    }
                    return record(connection, changed, at)
                            .chain(() -> announce(connection, rule, changed, type, seq, at))
                            .replaceWith(changed);
                }));
    }

    /** The alerts as they are now, as the next events of the alerts' stream. */
    private Uni<Void> record(SqlConnection connection, List<Alert> alerts, Instant at) {
        if (alerts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>(alerts.size());
        for (Alert alert : alerts) {
            try {
                rows.add(Tuple.of(Long.parseLong(alert.id()), utc(at), mapper.writeValueAsString(alert)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot encode an alert", e);
            }
        }
        return connection
                .preparedQuery("INSERT INTO alert_event (alert_id, at, alert) VALUES ($1, $2, $3)")
                .executeBatch(rows)
                .replaceWithVoid();
    }

    /** The stream's events after {@code after}, oldest first, at most {@code limit}. */
    Uni<List<AlertEvent>> eventsAfter(long after, int limit) {
        return pool.preparedQuery("SELECT id, alert FROM alert_event WHERE id > $1 ORDER BY id LIMIT $2")
                .execute(Tuple.of(after, limit))
                .map(rows -> {
                    List<AlertEvent> events = new ArrayList<>();
                    rows.forEach(row -> {
                        try {
                            events.add(new AlertEvent(
                                    row.getLong("id"),
                                    row.getString("alert"),
                                    mapper.readValue(row.getString("alert"), Alert.class)));
                        } catch (JsonProcessingException e) {
                            throw new IllegalStateException("a stored alert event is not JSON", e);
                        }
                    });
                    return events;
                });
    }

    Uni<Long> lastEventId() {
        return pool.query("SELECT coalesce(max(id), 0) AS last FROM alert_event")
                .execute()
                .map(rows -> rows.iterator().next().getLong("last"));
    }

    /**
     * One delivery of each alert on each of the rule's channels, all with the webhook's body: each channel renders its
     * own payload from it when it sends. Only the webhook's URL is stored; the other addresses are secrets.
     */
    private Uni<Void> announce(
            SqlConnection connection, AlertRule rule, List<Alert> alerts, String type, int seq, Instant at) {
        if (rule.targets().isEmpty() || alerts.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = new ArrayList<>(alerts.size() * rule.targets().size());
        for (Alert alert : alerts) {
            for (ChannelTarget target : rule.targets()) {
                UUID deliveryId = UUID.randomUUID();
                ObjectNode body = mapper.createObjectNode().put("type", type).put("deliveryId", deliveryId.toString());
                body.set("alert", mapper.valueToTree(alert));
                rows.add(Tuple.tuple()
                        .addUUID(deliveryId)
                        .addLong(Long.parseLong(alert.id()))
                        .addInteger(seq)
                        .addString(type)
                        .addString(target.channel().wireName())
                        .addString(target.channel() == Channel.WEBHOOK ? target.address() : null)
                        .addString(body.toString())
                        .addOffsetDateTime(utc(at)));
            }
        }
        return connection.preparedQuery("""
                        INSERT INTO alert_delivery (delivery_id, alert_id, seq, type, channel, webhook, body,
                                                    created_at, next_attempt_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)""").executeBatch(rows).replaceWithVoid();
    }

    Uni<List<OpenAlert>> openAlerts(String rule) {
        return pool.preparedQuery("SELECT id, subject, since FROM alert WHERE rule = $1 AND resolved_at IS NULL")
                .execute(Tuple.of(rule))
                .map(rows -> {
                    List<OpenAlert> open = new ArrayList<>();
                    rows.forEach(row -> open.add(new OpenAlert(
                            row.getLong("id"),
                            row.getString("subject"),
                            row.getOffsetDateTime("since").toInstant())));
                    return open;
                });
    }

    /** How many alerts are open (the open-alert index). */
    public Uni<Long> countOpen() {
        return pool.query("SELECT count(*) AS n FROM alert WHERE resolved_at IS NULL")
                .execute()
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /** Newest first, at most {@code limit} with an id below {@code beforeId} (null: from the newest). */
    public Uni<List<Alert>> list(Boolean open, String rule, String clientId, Long beforeId, int limit) {
        List<Object> params = new ArrayList<>();
        List<String> conditions = new ArrayList<>();
        if (open != null) {
            conditions.add(open ? "resolved_at IS NULL" : "resolved_at IS NOT NULL");
        }
        if (rule != null) {
            params.add(rule);
            conditions.add("rule = $" + params.size());
        }
        if (clientId != null) {
            params.add(clientId);
            conditions.add("client_id = $" + params.size());
        }
        if (beforeId != null) {
            params.add(beforeId);
            conditions.add("id < $" + params.size());
        }
        params.add(limit);
        String sql = "SELECT " + COLUMNS + " FROM alert"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY id DESC LIMIT $" + params.size();
        return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<Alert> alerts = new ArrayList<>();
            rows.forEach(row -> alerts.add(toAlert(row)));
            return alerts;
        });
    }

    /** The alerts with these ids, as they are now (any order). */
    Uni<List<Alert>> byIds(List<Long> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM alert WHERE id = ANY($1)")
                .execute(Tuple.of(ids.toArray(Long[]::new)))
                .map(rows -> {
                    List<Alert> alerts = new ArrayList<>();
                    rows.forEach(row -> alerts.add(toAlert(row)));
                    return alerts;
                });
    }

    public Uni<Boolean> exists(long id) {
        return pool.preparedQuery("SELECT 1 FROM alert WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext());
    }

    private Alert toAlert(Row row) {
        OffsetDateTime resolved = row.getOffsetDateTime("resolved_at");
        try {
            return new Alert(
                    Long.toString(row.getLong("id")),
                    row.getString("rule"),
                    row.getString("condition"),
                    row.getString("client_id"),
                    resolved == null ? "open" : "resolved",
                    Instants.format(row.getOffsetDateTime("since").toInstant()),
                    Instants.format(row.getOffsetDateTime("opened_at").toInstant()),
                    resolved == null ? null : Instants.format(resolved.toInstant()),
                    mapper.readTree(row.getString("client_state")));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an alert's stored client state is not JSON", e);
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
