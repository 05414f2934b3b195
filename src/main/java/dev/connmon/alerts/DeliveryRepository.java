package dev.connmon.alerts;

import dev.connmon.lifecycle.Instants;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The webhook deliveries of alerts (written by {@link AlertRepository} in the alert's own transaction, an outbox) and
 * every attempt at one.
 */
@ApplicationScoped
public class DeliveryRepository {
    /** A delivery due for an attempt. */
    record Due(
            UUID deliveryId,
            long alertId,
            String rule,
            Channel channel,
            String type,
            String webhook,
            String body,
            Instant createdAt,
            int attempts) {}

    private final Pool pool;

    DeliveryRepository(Pool pool) {
        this.pool = pool;
    }

    /** Every attempt at delivering the alert: the opening's before the resolution's, by channel name, in order. */
    public Uni<List<Delivery>> attempts(long alertId) {
        return pool.preparedQuery("""
                        SELECT d.delivery_id, d.channel, d.type, a.attempt, a.at, a.status, a.error
                        FROM alert_delivery d JOIN alert_delivery_attempt a USING (delivery_id)
                        WHERE d.alert_id = $1 ORDER BY d.seq, d.channel, a.attempt""").execute(Tuple.of(alertId)).map(rows -> {
            List<Delivery> deliveries = new ArrayList<>();
            rows.forEach(row -> deliveries.add(new Delivery(
                    row.getUUID("delivery_id").toString(),
                    row.getString("channel"),
                    row.getString("type"),
                    row.getInteger("attempt"),
                    Instants.format(row.getOffsetDateTime("at").toInstant()),
                    row.getInteger("status"),
                    row.getString("error"))));
            return deliveries;
        });
    }

    /**
     * The next pending delivery of each alert and channel (in order per alert and channel), where it is due; the
     * channels take turns (each one's oldest, then each one's second …), so that a backlog on one channel never
     * keeps another's deliveries out of the page.
     */
    Uni<List<Due>> due(int limit) {
        return pool.preparedQuery("""
                        SELECT next.*, alert.rule FROM (
                            SELECT pending.*,
                                   row_number() OVER (PARTITION BY channel ORDER BY next_attempt_at) AS turn
                            FROM (
                                SELECT DISTINCT ON (alert_id, channel) delivery_id, alert_id, channel, type, webhook,
                                       body, created_at, attempts, next_attempt_at
                                FROM alert_delivery WHERE delivered_at IS NULL AND gave_up_at IS NULL
                                ORDER BY alert_id, channel, seq) pending
                            WHERE next_attempt_at <= now()) next JOIN alert ON alert.id = next.alert_id
                        ORDER BY turn, next_attempt_at LIMIT $1""").execute(Tuple.of(limit)).map(rows -> {
            List<Due> due = new ArrayList<>();
            rows.forEach(row -> due.add(new Due(
                    row.getUUID("delivery_id"),
                    row.getLong("alert_id"),
                    row.getString("rule"),
                    Channel.fromWireName(row.getString("channel")),
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

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
