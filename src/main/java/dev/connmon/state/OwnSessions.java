package dev.connmon.state;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.pgclient.PgConnection;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Database sessions of their own, outside the pool, connected with the pool's options (URL, credentials, TLS,
 * additional properties): closing one closes its socket and so ends its session, where closing a pooled connection
 * hands the session, and any session lock it holds, to the next query.
 */
@Singleton
public class OwnSessions {
    private final Instance<Pool> pool;
    private final AtomicInteger next = new AtomicInteger();
    private volatile Vertx vertx;
    private volatile List<PgConnectOptions> options = List.of();

    /** The pool by {@link Instance}: it is created later, by a creator that needs this first. */
    OwnSessions(Instance<Pool> pool) {
        this.pool = pool;
    }

    /** Called by {@link StatementCachingPoolCreator} as it builds the pool. */
    void connectLike(Vertx vertx, List<PgConnectOptions> options) {
        this.vertx = vertx;
        this.options = options.stream().map(PgConnectOptions::new).toList();
    }

    /** A new session, to the pool's servers in turn; close it to end it. */
    public Uni<SqlConnection> connect() {
        if (options.isEmpty()) {
            // not created yet (start-up beans run in no set order): creating it hands its options over
            pool.get().getDelegate();
        }
        List<PgConnectOptions> servers = options;
        if (servers.isEmpty()) {
            return Uni.createFrom().failure(new IllegalStateException("the datasource pool has no servers"));
        }
        PgConnectOptions server = servers.get(Math.floorMod(next.getAndIncrement(), servers.size()));
        return PgConnection.connect(io.vertx.mutiny.core.Vertx.newInstance(vertx), server)
                .map(SqlConnection.class::cast);
    }
}
