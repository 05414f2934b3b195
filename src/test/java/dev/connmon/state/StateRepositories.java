package dev.connmon.state;

import io.vertx.mutiny.sqlclient.Pool;

/**
 * connmon's own write path outside Quarkus, for the ingest benchmark's PostgreSQL ceiling: the constructor is
 * package-private because in the application the pool comes from CDI.
 */
public final class StateRepositories {
    private StateRepositories() {}

    public static StateRepository on(Pool pool) {
        return new StateRepository(pool);
    }
}
