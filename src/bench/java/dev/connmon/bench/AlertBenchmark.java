package dev.connmon.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.Events;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.flywaydb.core.Flyway;

/**
 * What alert evaluation costs: 1 000 000 client states (as QueryBenchmark), the packaged connmon on the
 * embedded broker, 1 000 lifecycle changes a second to random clients of the fleet, measured twice on the same
 * database: with 20 alert rules (five each of offline, silent, flapping and fleet-drop, each watching one device
 * type of 50, that is 20 000 clients), then without rules after a warm-up as long. The difference in CPU, connmon's
 * and PostgreSQL's, is what the rules cost; the evaluation timer says how long one evaluation of all 20 takes.
 * <p>
 * Run: {@code ./mvnw -q -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.bench.AlertBenchmark}
 * ({@code -Dbench.rate=1000 -Dbench.seconds=60}).
 */
public final class AlertBenchmark {
    private static final int RATE = Integer.getInteger("bench.rate", 1000);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 60);
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup-seconds", 20);
    private static final int CLIENTS = 1_000_000;
    private static final String PREFIX = "bench/events/";

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench"));
        Path dataDir = work.resolve("postgres-alerts-" + UUID.randomUUID());
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(dataDir, true)) {
            // the rules first, then the same flow without them, warmed up for as long: measured in its first minute,
            // a connmon without rules took 1.1–1.2 cores, twice what it took with rules after their catch-up (JIT
            // compilation and the first publishes of the monitoring topic), so both are measured equally warm
            String url = TestDatabases.remember(pg.datasourceConfig()).get("quarkus.datasource.jdbc.url");
            Flyway.configure()
                    .dataSource(url, TestDatabases.USER, TestDatabases.password(url))
                    .load()
                    .migrate();
            try (Connection db = TestDatabases.connect(url)) {
                QueryBenchmark.load(db);
            }
            double[] with = run(pg, dataDir, work, true, WARMUP_SECONDS);
            double[] without = run(pg, dataDir, work, false, (int) Math.round(with[2]));
            System.out.printf(
                    "%nSummary at %d changes/s on %,d clients (load %s), in cores of 2, connmon + PostgreSQL:%n"
                            + "  20 rules       %.3f + %.3f%n"
                            + "  no rules       %.3f + %.3f (after a warm-up as long as the rules' catch-up, %.0f s)%n"
                            + "  the rules cost %.3f + %.3f = %.3f cores%n",
                    RATE,
                    CLIENTS,
                    ProcStats.load(),
                    with[0],
                    with[1],
                    without[0],
                    without[1],
                    with[2],
                    with[0] - without[0],
                    with[1] - without[1],
                    with[0] + with[1] - without[0] - without[1]);
        }
        System.exit(0);
    }

    /**
     * One packaged connmon on the database: the changes flow for {@code warmup} seconds (and, with rules, until the
     * catch-up is over), then are measured. Returns connmon's CPU and PostgreSQL's, in cores, while measured, and
     * how many seconds passed before.
     */
    private static double[] run(EmbeddedDatabase pg, Path dataDir, Path work, boolean rules, int warmup)
            throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(TestDatabases.remember(pg.datasourceConfig()));
        int brokerPort = PackagedApp.freePort();
        properties.put("connmon.embedded.broker-port", Integer.toString(brokerPort));
        properties.put(
                "connmon.embedded.data-dir",
                work.resolve("data-alerts-" + UUID.randomUUID()).toString());
        // outside connmon/, which the embedded broker keeps to connmon: any client may publish here
        properties.put("connmon.canonical.topic-prefix", PREFIX);
        properties.put("connmon.mqtt.topics", PREFIX + "#");
        properties.put("quarkus.log.level", "WARN");
        if (rules) {
            for (int i = 0; i < 5; i++) {
                rule(properties, "offline-" + i, "offline", "PT5M", i);
                rule(properties, "silent-" + i, "silent", "PT15M", 5 + i);
                rule(properties, "flapping-" + i, "flapping", "PT0S", 10 + i);
                rule(properties, "drop-" + i, "fleet-drop", "PT2M", 15 + i);
                properties.put("connmon.alerts.drop-" + i + ".threshold", "0.5");
            }
        }
        properties.putAll(BenchOptions.appSettings());
        try (PackagedApp app = PackagedApp.start(properties, BenchOptions.appJvmArgs());
                Connection db = TestDatabases.connect(properties.get("quarkus.datasource.jdbc.url"))) {
            Mqtt5AsyncClient publisher = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("bench-alerts-" + UUID.randomUUID())
                    .serverHost("127.0.0.1")
                    .serverPort(brokerPort)
                    .buildAsync();
            publisher.connect().join();
            Random random = new Random(42);
            long warming = System.nanoTime();
            publish(publisher, random, warmup);
            if (rules) {
                waitOutCatchUp(app, publisher, random);
            }
            double warmedFor = (System.nanoTime() - warming) / 1e9;
            double count0 = app.metric("connmon_alerts_evaluation_seconds_count");
            double sum0 = app.metric("connmon_alerts_evaluation_seconds_sum");
            double cpu0 = ProcStats.cpuSeconds(app.pid());
            double pg0 = ProcStats.postgresCpuSeconds(dataDir);
            long start = System.nanoTime();
            long published = publish(publisher, random, SECONDS);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cores = (ProcStats.cpuSeconds(app.pid()) - cpu0) / seconds;
            double pgCores = (ProcStats.postgresCpuSeconds(dataDir) - pg0) / seconds;
            double evaluations = app.metric("connmon_alerts_evaluation_seconds_count") - count0;
            double evaluationSeconds = app.metric("connmon_alerts_evaluation_seconds_sum") - sum0;
            publisher.disconnect().join();
            System.out.printf(
                    "%n%s: %,d changes in %.1f s (%.0f/s); connmon %.3f cores, PostgreSQL %.3f cores%n",
                    rules ? "20 alert rules" : "no alert rules",
                    published,
                    seconds,
                    published / seconds,
                    cores,
                    pgCores);
            if (rules) {
                System.out.printf(
                        "  %.0f evaluations of all 20 rules, %.1f ms each on average (%.3f cores of wall time);"
                                + " %,d alerts open, %,d resolved%n",
                        evaluations,
                        evaluations > 0 ? 1000 * evaluationSeconds / evaluations : Double.NaN,
                        evaluationSeconds / seconds,
                        count(db, "resolved_at IS NULL"),
                        count(db, "resolved_at IS NOT NULL"));
            }
            return new double[] {cores, pgCores, warmedFor};
        }
    }

    /**
     * A first term catches up on every candidate before it runs at its rhythm; what is measured is that rhythm, so
     * the changes keep flowing until five seconds pass with at least four evaluations and the number of open alerts
     * moving by less than 1 % (or ten minutes have). What opens and resolves after that is the workload's own churn:
     * random connects resolve the offline alerts of a fleet loaded half offline, so evaluations do not get short.
     */
    private static void waitOutCatchUp(PackagedApp app, Mqtt5AsyncClient publisher, Random random) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < 600_000_000_000L) {
            double count0 = app.metric("connmon_alerts_evaluation_seconds_count");
            double sum0 = app.metric("connmon_alerts_evaluation_seconds_sum");
            double openBefore = app.metric("connmon_alerts_open");
            publish(publisher, random, 5);
            double evaluations = app.metric("connmon_alerts_evaluation_seconds_count") - count0;
            double mean = (app.metric("connmon_alerts_evaluation_seconds_sum") - sum0) / evaluations;
            System.out.printf(
                    "  catching up: %.0f evaluations in 5 s, %.0f ms each, %,.0f alerts open%n",
                    evaluations, 1000 * mean, app.metric("connmon_alerts_open"));
            double opened = app.metric("connmon_alerts_open");
            // the rhythm is back and the first scans are done: what opens and resolves now is the workload's churn
            if (evaluations >= 4 && Math.abs(opened - openBefore) < 0.01 * Math.max(opened, 100)) {
                System.out.printf("  caught up after %.0f s%n", (System.nanoTime() - start) / 1e9);
                return;
            }
        }
        System.out.println("  still catching up after 10 minutes: measuring anyway");
    }

    private static void rule(Map<String, String> properties, String name, String when, String holdFor, int type) {
        properties.put("connmon.alerts." + name + ".when", when);
        properties.put("connmon.alerts." + name + ".for", holdFor);
        properties.put("connmon.alerts." + name + ".filter", "deviceType=type" + type);
    }

    /** Connects and disconnects of random clients of the loaded fleet at RATE a second; returns how many. */
    private static long publish(Mqtt5AsyncClient publisher, Random random, int seconds) {
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        long sent = 0;
        while (System.nanoTime() < end) {
            int n = 1 + random.nextInt(CLIENTS);
            String id = "d:org" + (n % 10) + ":type" + (n % 50) + ":dev" + String.format("%07d", n);
            Instant now = Instant.now();
            var event = random.nextBoolean()
                    ? Events.connected(id, now, "b" + sent)
                    : Events.disconnected(id, now, null, "network", 0x8D);
            publisher
                    .publishWith()
                    .topic(PREFIX + "bench")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(event.encode().getBytes(StandardCharsets.UTF_8))
                    .send();
            sent++;
            long due = start + sent * 1_000_000_000L / RATE;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        return sent;
    }

    private static long count(Connection db, String condition) throws Exception {
        try (Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT count(*) FROM alert WHERE " + condition)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
