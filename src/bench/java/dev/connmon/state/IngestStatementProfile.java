package dev.connmon.state;

import dev.connmon.bench.BenchDatabase;
import dev.connmon.bench.PostgresProfile;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.support.TestDatabases;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.flywaydb.core.Flyway;

/**
 * What the ingest statement costs PostgreSQL alone, with no broker and no connmon competing for the cores: batches
 * of one kind applied one after another through {@link StateRepository#apply} on a fresh server (the pool set up as
 * the application's), then PostgreSQL's CPU per event by process, the statements ({@code pg_stat_statements} when
 * loaded) and the plan of one more batch with its timings ({@code EXPLAIN ANALYZE}, triggers included).
 *
 * <pre>
 * ./mvnw -q -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.state.IngestStatementProfile
 * # -Dbench.kind=new|returning|activity -Dbench.batches=200 -Dbench.batch=500
 * # -Dbench.schema-change="DROP INDEX …; …" (run after the migrations: what a schema variant would cost)
 * # -Dbench.pg.shared_preload_libraries=pg_stat_statements -Dbench.pg.&lt;setting&gt;=…
 * </pre>
 *
 * <ul>
 *   <li>{@code new}: a connect of a client never seen (a reconnect storm of new clients, StormBenchmark's);
 *   <li>{@code returning}: a connect of a stored client, on a new connection, after its disconnect (a broker's
 *       restart: the whole fleet again);
 *   <li>{@code activity}: a publish of a connected client.
 * </ul>
 */
public final class IngestStatementProfile {
    private static final String KIND = System.getProperty("bench.kind", "new");
    private static final int BATCHES = Integer.getInteger("bench.batches", 200);
    private static final int BATCH = Integer.getInteger("bench.batch", 500);
    private static final String SCHEMA_CHANGE = System.getProperty("bench.schema-change", "");

    private IngestStatementProfile() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("connmon-statement");
        int clients = BATCHES * BATCH;
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);
        Vertx vertx = Vertx.vertx();
        try (EmbeddedDatabase pg = BenchDatabase.start(dir.resolve("pg"))) {
            String jdbcUrl = BenchDatabase.jdbcUrl(pg);
            Flyway.configure()
                    .dataSource(jdbcUrl, TestDatabases.USER, TestDatabases.password(jdbcUrl))
                    .load()
                    .migrate();
            if (!SCHEMA_CHANGE.isBlank()) {
                try (Connection db = TestDatabases.connect(jdbcUrl);
                        Statement sql = db.createStatement()) {
                    sql.execute(SCHEMA_CHANGE);
                }
                System.out.println("schema changed: " + SCHEMA_CHANGE);
            }
            Pool pool = pool(vertx, pg);
            StateRepository repository = new StateRepository(pool);
            // the fleet before the timed batches: new clients have none; the others are stored
            if (!KIND.equals("new")) {
                apply(repository, clients, i -> connect(i, base.plusMillis(i), "c0-" + i));
                if (KIND.equals("returning")) {
                    apply(repository, clients, i -> disconnect(i, base.plusMillis(clients + i), "c0-" + i));
                }
            }
            // warm-up: clients outside the timed ones
            apply(repository, 20 * BATCH, i -> connect(clients + i, base.plusMillis(i), "w-" + i));
            Instant at = base.plusMillis(3L * clients);
            IntFunction<LifecycleEvent> timed = switch (KIND) {
                case "activity" -> i -> published(i, at.plusMillis(i));
                default -> i -> connect(i, at.plusMillis(i), "c1-" + i);
            };
            try (Connection db = TestDatabases.connect(jdbcUrl);
                    Statement sql = db.createStatement()) {
                sql.execute("VACUUM ANALYZE");
                sql.execute("CHECKPOINT");
            }
            PostgresProfile postgres = PostgresProfile.start(jdbcUrl, dir.resolve("pg"));
            long start = System.nanoTime();
            apply(repository, clients, timed);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(
                    "%s: %,d events in %,d batches of %d: %.2f s, %.0f events/s, %.1f µs per event%n",
                    KIND, clients, BATCHES, BATCH, seconds, clients / seconds, seconds * 1e6 / clients);
            System.out.print(postgres.stop(clients));
            explain(
                    pool,
                    KIND.equals("activity")
                            ? i -> published(i, at.plusMillis(clients + i))
                            : i -> connect(2 * clients + i, at.plusMillis(clients + i), "c2-" + i));
        } finally {
            vertx.closeAndAwait();
        }
    }

    private static void apply(StateRepository repository, int events, IntFunction<LifecycleEvent> event) {
        for (int from = 0; from < events; from += BATCH) {
            List<LifecycleEvent> batch = new ArrayList<>(BATCH);
            for (int i = from; i < Math.min(events, from + BATCH); i++) {
                batch.add(event.apply(i));
            }
            repository.apply(new IngestBatch(batch, List.of())).await().indefinitely();
        }
    }

    /** The plan of one more batch, with the time of each node and trigger, as the ingest transaction runs it. */
    private static void explain(Pool pool, IntFunction<LifecycleEvent> event) {
        List<LifecycleEvent> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            batch.add(event.apply(i));
        }
        List<String> plan = pool.withTransaction(conn -> conn.query(StateChanges.BEGIN_INGEST)
                        .execute()
                        .chain(() -> conn.preparedQuery("EXPLAIN (ANALYZE, BUFFERS, WAL) " + BatchStatement.SQL)
                                .execute(BatchStatement.parameters(new IngestBatch(batch, List.of()))))
                        .map(rows -> {
                            List<String> lines = new ArrayList<>();
                            for (Row row : rows) {
                                lines.add(row.getString(0));
                            }
                            return lines;
                        }))
                .await()
                .indefinitely();
        System.out.println("EXPLAIN ANALYZE of one more batch:");
        plan.forEach(line -> System.out.println("  " + line));
    }

    private static String clientId(int i) {
        return String.format("dev-%07d", i);
    }

    private static LifecycleEvent connect(int i, Instant at, String connectionId) {
        return LifecycleEvent.builder(EventType.CONNECTED, clientId(i), at)
                .connectionId(connectionId)
                .protocolVersion("5.0")
                .ipAddress("192.0.2.10")
                .node("broker-1")
                .dialect("canonical")
                .build()
                .fromSource("default");
    }

    private static LifecycleEvent disconnect(int i, Instant at, String connectionId) {
        return LifecycleEvent.builder(EventType.DISCONNECTED, clientId(i), at)
                .connectionId(connectionId)
                .initiator(Initiator.NETWORK)
                .reasonCode(0x8D)
                .node("broker-1")
                .dialect("canonical")
                .build()
                .fromSource("default");
    }

    private static LifecycleEvent published(int i, Instant at) {
        return LifecycleEvent.builder(EventType.PUBLISHED, clientId(i), at)
                .topic("sensors/t")
                .dialect("canonical")
                .build()
                .fromSource("default");
    }

    /** One connection with the application's settings. */
    private static Pool pool(Vertx vertx, EmbeddedDatabase pg) {
        return Pool.newInstance(BenchDatabase.applicationPool(vertx.getDelegate(), pg, "postgres", 1));
    }
}
