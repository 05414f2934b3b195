package dev.connmon.bench;

import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.Api;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fleet health (docs/api.md §10) on a million clients: loads 1 000 000 client states (as QueryBenchmark),
 * one busy client with a log row every minute for 30 days (43 200 rows, in day partitions as retention keeps them),
 * and a day of timeline counters and samples for 50 device types, starts the packaged connmon, then measures
 * availability of the busy client, the one-day 5-minute timeline, a /q/metrics scrape of the fleet gauges
 * (docs/metrics.md), and the CSV export of all clients (rows/s,
 * connmon's heap and RSS while it streams).
 * <p>
 * Run: {@code ./mvnw -q -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.bench.FleetHealthBenchmark}.
 */
public final class FleetHealthBenchmark {
    private static final int WARMUP = Integer.getInteger("bench.warmup", 50);
    private static final int REQUESTS = Integer.getInteger("bench.requests", 300);
    private static final String KEY = "bench";
    private static final String TOKEN = "bench-token";
    private static final String BUSY = "d:busy:pump:0001";

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String auth =
            "Basic " + Base64.getEncoder().encodeToString((KEY + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
    private String base;

    public static void main(String[] args) throws Exception {
        new FleetHealthBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench"));
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(work.resolve("postgres-fleet"), true)) {
            Map<String, String> properties = new LinkedHashMap<>(TestDatabases.remember(pg.datasourceConfig()));
            properties.put("connmon.embedded.broker-port", Integer.toString(PackagedApp.freePort()));
            properties.put(
                    "connmon.embedded.data-dir", work.resolve("data-fleet").toString());
            properties.put("quarkus.security.users.embedded.users." + KEY, TOKEN);
            properties.put("quarkus.security.users.embedded.roles." + KEY, "reader,admin");
            properties.put("quarkus.log.level", "WARN");
            // 100 allow-listed clients of their own (connmon.metrics.clients-max), 50 device types folded to 20
            properties.put("connmon.metrics.clients", "d:org3:type13:dev00,d:org1:type1:");
            String jvmArgs = System.getProperty("bench.app.jvm-args", "").trim();
            try (PackagedApp app = PackagedApp.start(
                            properties, jvmArgs.isEmpty() ? List.of() : List.of(jvmArgs.split("\\s+")));
                    Connection db = TestDatabases.connect(properties.get("quarkus.datasource.jdbc.url"))) {
                base = app.baseUrl();
                QueryBenchmark.load(db);
                loadBusyClient(db);
                loadTimeline(db);
                System.out.printf(
                        "%nconnmon JVM flags: %s; load %s%n",
                        jvmArgs.isEmpty() ? "default" : jvmArgs, ProcStats.load());
                measure(
                        "availability, busy client, since=P30D (43 200 log rows)",
                        "/api/v0002/clientconnectionstates/" + BUSY + "/availability?since=P30D");
                measure(
                        "availability, busy client, since=P30D&step=P1D",
                        "/api/v0002/clientconnectionstates/" + BUSY + "/availability?since=P30D&step=P1D");
                measure(
                        "availability, busy client, default window (P7D)",
                        "/api/v0002/clientconnectionstates/" + BUSY + "/availability");
                measure(
                        "timeline, P1D in PT5M, whole fleet (1 000 000 clients)",
                        "/api/v0002/fleet/timeline?since=P1D&step=PT5M");
                measure(
                        "timeline, P1D in PT5M, clientType=device",
                        "/api/v0002/fleet/timeline?since=P1D&step=PT5M&clientType=device");
                measure(
                        "timeline, P1D in PT5M, deviceType=type7",
                        "/api/v0002/fleet/timeline?since=P1D&step=PT5M&deviceType=type7");
                measure(
                        "timeline, P1D in PT5M ending an hour ago (samples only)",
                        "/api/v0002/fleet/timeline?since=PT25H&until=PT1H&step=PT5M");
                System.out.printf(
                        "timeline sampler, one pass on %s clients: max %.0f ms (connmon_timeline_sample_seconds_max)%n",
                        "1 000 000", metric("connmon_timeline_sample_seconds_max") * 1000);
                scrape();
                explain(
                        db,
                        "current counts, whole fleet",
                        "SELECT connection_status, count(*) AS n FROM client_state WHERE true GROUP BY connection_status");
                explain(
                        db,
                        "current counts, deviceType=type7",
                        "SELECT connection_status, count(*) AS n "
                                + "FROM client_state WHERE device_type = 'type7' GROUP BY connection_status");
                exportCsv(app);
            }
        }
    }

    /** A reconnect every minute for 30 days: connect on even minutes, network drop on odd ones. */
    private static void loadBusyClient(Connection db) throws Exception {
        long start = System.nanoTime();
        try (Statement sql = db.createStatement()) {
            sql.execute("SELECT connmon_log_partitions((now() AT TIME ZONE 'UTC')::date - 31, "
                    + "(now() AT TIME ZONE 'UTC')::date + 1)");
            sql.execute("""
                    INSERT INTO connection_log (client_id, event_time, event, initiator, connection_id, dialect,
                                                dedup_key, source)
                    SELECT '%1$s', t, CASE WHEN m %% 2 = 0 THEN 'connected' ELSE 'disconnected' END,
                           CASE WHEN m %% 2 = 1 THEN 'network' END, 'c' || (m / 2), 'connmon',
                           md5('%1$s' || m)::uuid, 'default'
                      FROM (SELECT m, date_trunc('minute', now()) - interval '30 days' + m * interval '1 minute' AS t
                              FROM generate_series(0, 43199) m) g""".formatted(BUSY));
            sql.execute("""
                    INSERT INTO client_state (client_id, connect_time, connect_connection_id, disconnect_time,
                                              disconnect_connection_id, disconnect_initiator, connect_closed)
                    VALUES ('%s', date_trunc('minute', now()) - interval '2 minutes', 'c21599',
                            date_trunc('minute', now()) - interval '1 minute', 'c21599', 'network', true)""".formatted(BUSY));
            sql.execute("ANALYZE connection_log");
        }
        System.out.printf("Loaded the busy client's 43 200 log rows in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** A day of per-minute counters and samples for 50 device types (what a day of ingest and sampling leaves). */
    private static void loadTimeline(Connection db) throws Exception {
        long start = System.nanoTime();
        try (Statement sql = db.createStatement()) {
            sql.execute("""
                    INSERT INTO fleet_event_minute (minute, client_type, device_type, connects, failed_connects,
                        disconnects_client, disconnects_server, disconnects_network, disconnects_unknown)
                    SELECT m, 'device', 'type' || t, (random() * 40)::int, (random() * 3)::int, (random() * 10)::int,
                           (random() * 20)::int, (random() * 10)::int, 0
                      FROM generate_series(date_trunc('minute', now()) - interval '1 day', date_trunc('minute', now()),
                                           interval '1 minute') m,
                           generate_series(0, 49) t
                    ON CONFLICT DO NOTHING""");
            sql.execute("""
                    INSERT INTO fleet_sample (sampled_at, client_type, device_type, connected, disconnected)
                    SELECT m, 'device', 'type' || t, 12000 + (random() * 100)::int, 8000 + (random() * 100)::int
                      FROM generate_series(date_trunc('minute', now()) - interval '1 day', date_trunc('minute', now())
                                           - interval '1 minute', interval '1 minute') m,
                           generate_series(0, 49) t
                    UNION ALL
                    SELECT m, '', '', 0, 0
                      FROM generate_series(date_trunc('minute', now()) - interval '1 day', date_trunc('minute', now())
                                           - interval '1 minute', interval '1 minute') m
                    ON CONFLICT DO NOTHING""");
            sql.execute("VACUUM ANALYZE fleet_event_minute");
            sql.execute("VACUUM ANALYZE fleet_sample");
        }
        System.out.printf(
                "Loaded a day of timeline counters and samples (50 device types) in %.1f s%n",
                (System.nanoTime() - start) / 1e9);
    }

    /** /q/metrics once the fleet gauges hold the million (after the sampler's first pass over it). */
    private void scrape() throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(3);
        while (!(metric("connmon_clients") >= 1_000_000) && System.nanoTime() < deadline) {
            Thread.sleep(1000);
        }
        String text = get("/q/metrics");
        System.out.printf(
                "fleet gauges: connmon_clients %,.0f in %d series, %d allow-listed client series%n",
                Api.metricIn(text, "connmon_clients"),
                text.lines().filter(l -> l.startsWith("connmon_clients{")).count(),
                text.lines()
                        .filter(l -> l.startsWith("connmon_client_connected{"))
                        .count());
        measure("/q/metrics scrape (fleet gauges of 1 000 000 clients)", "/q/metrics");
    }

    private void measure(String name, String path) throws Exception {
        for (int i = 0; i < WARMUP; i++) {
            get(path);
        }
        List<Double> millis = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < REQUESTS; i++) {
            long t = System.nanoTime();
            bytes = get(path).length();
            millis.add((System.nanoTime() - t) / 1e6);
        }
        Collections.sort(millis);
        System.out.printf(
                "%-62s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%d requests, %d bytes)%n",
                name,
                millis.get(millis.size() / 2),
                millis.get((int) Math.ceil(millis.size() * 0.99) - 1),
                millis.get(millis.size() - 1),
                REQUESTS,
                bytes);
    }

    private static void explain(Connection db, String name, String sql) throws Exception {
        try (Statement statement = db.createStatement();
                java.sql.ResultSet plan = statement.executeQuery("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
            System.out.println("plan of the " + name + " (TimelineReader):");
            while (plan.next()) {
                System.out.println("  " + plan.getString(1));
            }
        }
    }

    /** Streams the CSV of every client, counting records, while sampling connmon's heap and RSS every 200 ms. */
    private void exportCsv(PackagedApp app) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong maxHeap = new AtomicLong();
        AtomicLong maxRss = new AtomicLong();
        List<Long> heaps = Collections.synchronizedList(new ArrayList<>());
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                long heap = (long) heapBytes();
                heaps.add(heap);
                maxHeap.accumulateAndGet(heap, Math::max);
                maxRss.accumulateAndGet(ProcStats.rssMb(app.pid()), Math::max);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        double heapBefore = heapBytes();
        long rssBefore = ProcStats.rssMb(app.pid());
        sampler.start();
        long start = System.nanoTime();
        long lines = 0;
        long bytes = 0;
        HttpResponse<InputStream> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v0002/clientconnectionstates"))
                        .header("Authorization", auth)
                        .header("Accept", "text/csv")
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                bytes += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        sampler.join();
        System.out.printf(
                "%nCSV export of every client: HTTP %d, %,d records + header, %,d MB in %.1f s: %,.0f rows/s%n",
                response.statusCode(), lines - 1, bytes >> 20, seconds, (lines - 1) / seconds);
        List<Long> sorted = new ArrayList<>(heaps);
        Collections.sort(sorted);
        System.out.printf(
                "  connmon heap used: before %.0f MB, during p50 %d MB, max %d MB; RSS before %d MB, max %d MB "
                        + "(%d samples)%n",
                heapBefore / 1e6,
                sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1_000_000,
                maxHeap.get() / 1_000_000,
                rssBefore,
                maxRss.get(),
                sorted.size());
    }

    private double heapBytes() {
        try {
            return Api.metricIn(get("/q/metrics"), "jvm_memory_used_bytes", "area=\"heap\"");
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    private double metric(String name) throws Exception {
        return Api.metricIn(get("/q/metrics"), name);
    }

    private String get(String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + path))
                        .header("Authorization", auth)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
