package dev.connmon.bench;

import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.state.StatementCachingPoolCreator;
import dev.connmon.support.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fresh PostgreSQL 17 (zonky) a harness runs against, set up as a stock server would be: zonky turns
 * {@code fsync} and {@code synchronous_commit} off, which would spare every commit its WAL flush. Options:
 * {@code -Dbench.pg.synchronous-commit=on}, {@code -Dbench.pg.fsync=on}, and any other server setting as
 * {@code -Dbench.pg.<setting>=…} (e.g. {@code -Dbench.pg.session_preload_libraries=auto_explain}).
 */
public final class BenchDatabase {
    private BenchDatabase() {}

    /** A new server on an emptied {@code dataDir}. */
    public static EmbeddedDatabase start(Path dataDir) {
        Map<String, String> server = new LinkedHashMap<>(Map.of(
                "synchronous_commit", System.getProperty("bench.pg.synchronous-commit", "on"),
                "fsync", System.getProperty("bench.pg.fsync", "on")));
        server.putAll(BenchOptions.postgresSettings());
        return EmbeddedDatabase.start(dataDir, true, server);
    }

    /**
     * A pool with the application's settings (application.properties, {@link StatementCachingPoolCreator}): prepared
     * statements cached whatever their length, custom plans, application name {@code connmon}.
     */
    public static Pool applicationPool(Vertx vertx, EmbeddedDatabase pg, String database, int connections) {
        PgConnectOptions connect = new PgConnectOptions()
                .setHost("127.0.0.1")
                .setPort(pg.port())
                .setDatabase(database)
                .setUser("postgres")
                .setPassword(pg.password())
                .setCachePreparedStatements(true)
                .addProperty("plan_cache_mode", "force_custom_plan")
                .addProperty("application_name", "connmon")
                .setPreparedStatementCacheSqlLimit(StatementCachingPoolCreator.CACHED_SQL_LIMIT);
        return PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(connections))
                .connectingTo(connect)
                .using(vertx)
                .build();
    }

    public static String jdbcUrl(EmbeddedDatabase database) {
        return TestDatabases.remember(database.datasourceConfig()).get("quarkus.datasource.jdbc.url");
    }

    static Connection connect(EmbeddedDatabase database) throws SQLException {
        return TestDatabases.connect(jdbcUrl(database));
    }

    /** What decides the cost of a commit on this machine, as one line. */
    static String serverSettings(String jdbcUrl) throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement sql = db.createStatement();
                ResultSet rs = sql.executeQuery("""
                     SELECT string_agg(name || '=' || setting || coalesce(unit, ''), ', ' ORDER BY name)
                       FROM pg_settings WHERE name IN ('server_version', 'synchronous_commit', 'fsync',
                            'wal_sync_method', 'shared_buffers', 'max_wal_size', 'checkpoint_timeout')""")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
