package dev.connmon.support;

import dev.connmon.state.StateChanges;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import java.time.Duration;

/**
 * Holds the advisory lock every ingest transaction takes first, in a transaction of its own, so that connmon's
 * writes wait until it is closed: a database that is there but cannot keep up, without stopping it.
 */
public record DatabaseHold(SqlConnection connection, Transaction transaction) implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    public static DatabaseHold take(Pool pool) {
        SqlConnection connection = pool.getConnection().await().atMost(TIMEOUT);
        Transaction transaction = connection.begin().await().atMost(TIMEOUT);
        connection.query(StateChanges.LOCK_CHANGE_FEED).execute().await().atMost(TIMEOUT);
        return new DatabaseHold(connection, transaction);
    }

    @Override
    public void close() {
        transaction.rollback().await().atMost(TIMEOUT);
        connection.close().await().atMost(TIMEOUT);
    }
}
