package dev.connmon.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connmon.lifecycle.Instants;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
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
 * Alerts and their webhook deliveries in PostgreSQL. An alert and the delivery that announces it are written in one
 * transaction (an outbox), so a delivery is never lost nor sent for an alert that was not stored; unique indexes make
 * a second opening of one episode a no-op, whichever instance tries.
 */
@ApplicationScoped
public class AlertRepository {
    static final String OPENED = "alert.opened";
    static final String RESOLVED = "alert.resolved";
    /** Alert events become visible in id order: their writers take turns (as the change feed's do). */
    private static final String LOCK_EVENTS =
            "SELECT pg_advisory_xact_lock(" + dev.connmon.cluster.AdvisoryLocks.ALERT_EVENTS + ")";

    private static final String COLUMNS =
            "id, rule, condition, client_id, since, opened_at, resolved_at, client_state::text AS client_state";

    /** An open alert as the evaluator tracks it. */
    record OpenAlert(long id, String subject, Instant since) {}

    /** One event of the alerts' stream: its id, and the alert then (as JSON and as an object). */
    public record AlertEvent(long id, String json, Alert alert) {}

    /** A delivery due for an attempt. */
    record Due(
            UUID deliveryId,
            long alertId,
            String rule,
            String type,
            String webhook,
            String body,
            Instant createdAt,
            int attempts) {}

    private final Pool pool;
    private final ObjectMapper mapper;

    AlertRepository(Pool pool, ObjectMapper mapper) {
        this.pool = pool;
        this.mapper = mapper;
    }

    /** Opens the alert of one episode; null when that episode already has one (or the subject an open one). */
    Uni<Alert> open(AlertRule rule, String clientId, Instant since, Instant at, JsonNode clientState) {
        return pool.withTransaction(connection -> connection
                .query(LOCK_EVENTS)
                .execute()
                .chain(() -> connection
                        .preparedQuery("""
                        INSERT INTO alert (rule, condition, client_id, subject, since, opened_at, client_state)
                        VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb)
                        ON CONFLICT DO NOTHING RETURNING\s""" + COLUMNS)
                        .execute(Tuple.tuple()
                                .addString(rule.name())
                                .addString(rule.condition().wireName())
                                .addString(clientId)
                                .addString(clientId == null ? "_fleet" : clientId)
                                .addOffsetDateTime(utc(since))
                                .addOffsetDateTime(utc(at))
                                .addString(clientState.toString()))
                        .flatMap(rows -> {
                            if (!rows.iterator().hasNext()) {
                                return Uni.createFrom().nullItem();
                            }
                            Alert alert = toAlert(rows.iterator().next());
                            return record(connection, alert, at)
                                    .chain(() -> announce(connection, rule, alert, OPENED, 1, at))
                                    .replaceWith(alert);
                        })));
    }

    /** Resolves an open alert; null when it was resolved already. */
    Uni<Alert> resolve(AlertRule rule, long id, Instant at) {
        return pool.withTransaction(connection -> connection
                .query(LOCK_EVENTS)
                .execute()
                .chain(() -> connection
                        .preparedQuery(
                                "UPDATE alert SET resolved_at = $2 WHERE id = $1 AND resolved_at IS NULL RETURNING "
                                        + COLUMNS)
                        .execute(Tuple.of(id, utc(at)))
                        .flatMap(rows -> {
                            if (!rows.iterator().hasNext()) {
                                return Uni.createFrom().nullItem();
                            }
                            Alert alert = toAlert(rows.iterator().next());
                            return record(connection, alert, at)
                                    .chain(() -> announce(connection, rule, alert, RESOLVED, 2, at))
                                    .replaceWith(alert);
                        })));
    }

    /** The alert as it is now, as the next event of the alerts' stream. */
    private Uni<Void> record(SqlConnection connection, Alert alert, Instant at) {
        try {
            return connection
                    .preparedQuery("INSERT INTO alert_event (alert_id, at, alert) VALUES ($1, $2, $3)")
                    .execute(Tuple.of(Long.parseLong(alert.id()), utc(at), mapper.writeValueAsString(alert)))
                    .replaceWithVoid();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an alert", e);
        }
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

    private Uni<Void> announce(
            SqlConnection connection, AlertRule rule, Alert alert, String type, int seq, Instant at) {
        if (rule.webhook() == null) {
            return Uni.createFrom().voidItem();
        }
        UUID deliveryId = UUID.randomUUID();
        ObjectNode body = mapper.createObjectNode().put("type", type).put("deliveryId", deliveryId.toString());
        body.set("alert", mapper.valueToTree(alert));
        return connection
                .preparedQuery("""
                        INSERT INTO alert_delivery (delivery_id, alert_id, seq, type, webhook, body, created_at,
                                                    next_attempt_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $7)""")
                .execute(Tuple.from(List.of(
                        deliveryId,
                        Long.parseLong(alert.id()),
                        seq,
                        type,
                        rule.webhook().toString(),
                        body.toString(),
                        utc(at))))
                .replaceWithVoid();
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

    public Uni<Boolean> exists(long id) {
        return pool.preparedQuery("SELECT 1 FROM alert WHERE id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.iterator().hasNext());
    }

    /** Every attempt at delivering the alert's webhooks, in order. */
    public Uni<List<Delivery>> attempts(long alertId) {
        return pool.preparedQuery("""
                        SELECT d.delivery_id, d.type, a.attempt, a.at, a.status, a.error
                        FROM alert_delivery d JOIN alert_delivery_attempt a USING (delivery_id)
                        WHERE d.alert_id = $1 ORDER BY d.seq, a.attempt""").execute(Tuple.of(alertId)).map(rows -> {
            List<Delivery> deliveries = new ArrayList<>();
            rows.forEach(row -> deliveries.add(new Delivery(
                    row.getUUID("delivery_id").toString(),
                    row.getString("type"),
                    row.getInteger("attempt"),
                    Instants.format(row.getOffsetDateTime("at").toInstant()),
                    row.getInteger("status"),
                    row.getString("error"))));
            return deliveries;
        });
    }

    /** The next pending delivery of each alert (in order per alert), where it is due. */
    Uni<List<Due>> due(int limit) {
        return pool.preparedQuery("""
                        SELECT next.*, alert.rule FROM (
                            SELECT DISTINCT ON (alert_id) delivery_id, alert_id, type, webhook, body, created_at,
                                   attempts, next_attempt_at
                            FROM alert_delivery WHERE delivered_at IS NULL AND gave_up_at IS NULL
                            ORDER BY alert_id, seq) next JOIN alert ON alert.id = next.alert_id
                        WHERE next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1""").execute(Tuple.of(limit)).map(rows -> {
            List<Due> due = new ArrayList<>();
            rows.forEach(row -> due.add(new Due(
                    row.getUUID("delivery_id"),
                    row.getLong("alert_id"),
                    row.getString("rule"),
                    row.getString("type"),
                    row.getString("webhook"),
                    row.getString("body"),
                    row.getOffsetDateTime("created_at").toInstant(),
                    row.getInteger("attempts"))));
            return due;
        });
    }

    /**
     * Records an attempt: delivered, or the time of the next one, or (null) given up.
     */
    Uni<Void> attempted(
            UUID deliveryId, int attempt, Instant at, Integer status, String error, boolean delivered, Instant next) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("""
                        INSERT INTO alert_delivery_attempt (delivery_id, attempt, at, status, error)
                        VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""")
                .execute(Tuple.tuple()
                        .addUUID(deliveryId)
                        .addInteger(attempt)
                        .addOffsetDateTime(utc(at))
                        .addInteger(status)
                        .addString(error))
                .flatMap(ignored -> connection
                        .preparedQuery("""
                                UPDATE alert_delivery SET attempts = $2,
                                    delivered_at = CASE WHEN $3 THEN $4::timestamptz END,
                                    gave_up_at = CASE WHEN NOT $3 AND $5::timestamptz IS NULL THEN $4::timestamptz END,
                                    next_attempt_at = coalesce($5, next_attempt_at)
                                WHERE delivery_id = $1""")
                        .execute(Tuple.tuple()
                                .addUUID(deliveryId)
                                .addInteger(attempt)
                                .addBoolean(delivered)
                                .addOffsetDateTime(utc(at))
                                .addOffsetDateTime(next == null ? null : utc(next))))
                .replaceWithVoid());
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
