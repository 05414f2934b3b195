package dev.connmon.state;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The datasource pool, with prepared statements cached whatever their length. The client caches only statements of
 * up to 2 048 characters by default; the ingest statement ({@link BatchStatement#SQL}) is longer, so every
 * batch was parsed, analysed and planned anew: about 5 ms of PostgreSQL time per batch, more than a small batch's
 * execution, on the path of every live update. It hands the pool's connect options to
 * {@link OwnSessions}, so that a session outside the pool connects exactly as the pool does.
 */
@Singleton
public class StatementCachingPoolCreator implements PgPoolCreator {
    public static final int CACHED_SQL_LIMIT = 64 * 1024;

    private final OwnSessions ownSessions;

    StatementCachingPoolCreator(OwnSessions ownSessions) {
        this.ownSessions = ownSessions;
    }

    @Override
    public Pool create(Input input) {
        input.pgConnectOptionsList().forEach(options -> options.setPreparedStatementCacheSqlLimit(CACHED_SQL_LIMIT));
        ownSessions.connectLike(input.vertx(), input.pgConnectOptionsList());
        return PgBuilder.pool()
                .with(input.poolOptions())
                .connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx())
                .build();
    }
}
