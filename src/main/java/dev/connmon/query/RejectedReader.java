package dev.connmon.query;

import dev.connmon.lifecycle.Instants;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Reads the messages no dialect could decode, newest first. */
@ApplicationScoped
public class RejectedReader {
    private final Pool pool;

    RejectedReader(Pool pool) {
        this.pool = pool;
    }

    /** Newest first; {@code beforeId} continues a listing below the last id seen. */
    public Uni<List<RejectedMessage>> list(Long beforeId, int limit) {
        return pool.preparedQuery("""
                SELECT id, received_at, source, topic, dialect, reason, payload_size, payload FROM rejected_message
                 WHERE $1::bigint IS NULL OR id < $1 ORDER BY id DESC LIMIT $2""").execute(Tuple.of(beforeId, limit)).map(rows -> {
            List<RejectedMessage> messages = new ArrayList<>();
            rows.forEach(row -> messages.add(toMessage(row)));
            return messages;
        });
    }

    private static RejectedMessage toMessage(Row row) {
        byte[] payload = row.getBuffer("payload").getBytes();
        return new RejectedMessage(
                row.getLong("id"),
                Instants.format(row.getOffsetDateTime("received_at").toInstant()),
                row.getString("source"),
                row.getString("topic"),
                row.getString("dialect"),
                row.getString("reason"),
                row.getInteger("payload_size"),
                new String(payload, StandardCharsets.UTF_8),
                Base64.getEncoder().encodeToString(payload));
    }
}
