package dev.connmon.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.Events;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live status under load: broker-to-SSE latency at ~1 000 events/s, and how many concurrent SSE subscribers one
 * instance holds, with the fan-out time of one change to all of them. Starts a fresh PostgreSQL (zonky) and the
 * packaged connmon with its embedded broker; devices are HiveMQ MQTT clients, subscribers Vert.x HTTP clients.
 * <p>
 * {@code ./mvnw -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.bench.SseBenchmark}
 */
public final class SseBenchmark {
    private static final int DEVICES = Integer.getInteger("bench.devices", 1000);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    /** The same load before measuring, so that the figures are a warm service's, not a fresh JVM's compiling. */
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup-seconds", 10);
    /** After the SSE measurement, with the load still on: GET by id through wrk for this long (0: skip). */
    private static final int GET_SECONDS = Integer.getInteger("bench.get-seconds", 20);

    private static final int SUBSCRIBERS = Integer.getInteger("bench.subscribers", 10_000);
    /**
     * embedded: devices on connmon's embedded broker, whose lifecycle extension reports their activity; mosquitto:
     * canonical events published to this machine's Mosquitto (127.0.0.1:1883), stamped with their publish time.
     */
    private static final String BROKER = System.getProperty("bench.broker", "embedded");

    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("bench:bench-token".getBytes(StandardCharsets.UTF_8));
    private static final Pattern ACTIVITY = Pattern.compile("\"lastActivityTime\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench-sse"));
        // -Dbench.pg.synchronous-commit=off shows what the WAL flush at each commit costs the tail
        Map<String, String> server = new LinkedHashMap<>();
        server.put("synchronous_commit", System.getProperty("bench.pg.synchronous-commit", "on"));
        // any other server setting, e.g. -Dbench.pg.log_min_duration_statement=10 -Dbench.pg.logging_collector=on
        server.putAll(BenchOptions.postgresSettings());
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(work.resolve("postgres"), true, server)) {
            int brokerPort;
            String prefix = null;
            Map<String, String> properties = new LinkedHashMap<>(TestDatabases.remember(pg.datasourceConfig()));
            if (BROKER.equals("embedded")) {
                brokerPort = PackagedApp.freePort();
                properties.put("connmon.embedded.broker-port", Integer.toString(brokerPort));
            } else if (BROKER.equals("mosquitto")) {
                // topics, session and monitoring topic of this run's own, on a broker others use too
                String run = Long.toString(System.currentTimeMillis(), 36);
                brokerPort = 1883;
                prefix = "connmon-sse-" + run + "/events/";
                properties.put("connmon.mqtt.host", "127.0.0.1");
                properties.put("connmon.mqtt.port", "1883");
                properties.put("connmon.mqtt.client-id", "connmon-sse-" + run);
                properties.put("connmon.monitor.topic", "connmon-sse-" + run + "/clients/{clientId}/state");
                properties.put("connmon.canonical.topic-prefix", prefix);
                properties.put("connmon.mqtt.topics", prefix + "#");
            } else {
                throw new IllegalArgumentException("bench.broker: embedded or mosquitto, not " + BROKER);
            }
            properties.put("connmon.embedded.data-dir", work.resolve("data").toString());
            properties.put("quarkus.security.users.embedded.users.bench", "bench-token");
            properties.put("quarkus.security.users.embedded.roles.bench", "reader");
            properties.put("quarkus.log.level", "WARN");
            // every subscriber of the harness uses the one bench key
            properties.put("connmon.live.max-streams-per-key", Integer.toString(SUBSCRIBERS + 16));
            properties.putAll(BenchOptions.appSettings());
            Vertx vertx = Vertx.vertx();
            try (PackagedApp app = PackagedApp.start(properties, BenchOptions.appJvmArgs())) {
                HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                        .setDefaultHost("127.0.0.1")
                        .setDefaultPort(app.httpPort())
                        .setMaxPoolSize(SUBSCRIBERS + 16));
                latency(http, brokerPort, prefix, app.baseUrl());
                System.out.println("  connmon's own view (Micrometer, last ~2 min):");
                app.metricLines("connmon_ingest_lag_seconds").forEach(line -> System.out.println("    " + line));
                app.metricLines("connmon_ingest_batch_size").forEach(line -> System.out.println("    " + line));
                app.metricLines("connmon_ingest_write_seconds").forEach(line -> System.out.println("    " + line));
                app.metricLines("connmon_ingest_delivery_seconds").forEach(line -> System.out.println("    " + line));
                statementTimes(pg);
                fanOut(http, brokerPort, prefix, app.pid());
            } finally {
                vertx.close();
            }
        }
        System.exit(0);
    }

    /**
     * DEVICES devices publish once a second each (the broker reports at most one activity per client a second), or,
     * with a canonical prefix, one publisher sends DEVICES activity events a second through Mosquitto.
     */
    private static void latency(HttpClient http, int brokerPort, String prefix, String baseUrl) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        subscribe(
                http,
                "lat-",
                data -> {
                    Matcher m = ACTIVITY.matcher(data);
                    if (m.find()) {
                        latencies.add(System.currentTimeMillis()
                                - Instant.parse(m.group(1)).toEpochMilli());
                    }
                },
                new AtomicInteger());
        List<Mqtt5AsyncClient> devices = prefix == null
                ? connect("lat-", DEVICES, brokerPort)
                : connect("sse-bench-publisher-" + prefix.hashCode(), 1, brokerPort);
        Thread.sleep(2000);
        latencies.clear();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger next = new AtomicInteger();
        long periodMicros = 1_000_000L / DEVICES;
        ticker.scheduleAtFixedRate(
                () -> {
                    int n = next.getAndIncrement();
                    if (prefix == null) {
                        devices.get(n % DEVICES)
                                .publishWith()
                                .topic("bench/t")
                                .qos(MqttQos.AT_MOST_ONCE)
                                .payload(new byte[] {1})
                                .send();
                    } else {
                        String id = "lat-" + (n % DEVICES);
                        devices.get(0)
                                .publishWith()
                                .topic(prefix + id)
                                .qos(MqttQos.AT_LEAST_ONCE)
                                .payload(Events.event("published", id, Instant.now())
                                        .put("topic", "bench/t")
                                        .encode()
                                        .getBytes(StandardCharsets.UTF_8))
                                .send();
                    }
                },
                0,
                periodMicros,
                TimeUnit.MICROSECONDS);
        Thread.sleep(WARMUP_SECONDS * 1000L);
        long[] warm = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        latencies.clear();
        System.out.printf(
                "%nWarm-up, %d s: %d events, p50 %d ms, p99 %d ms, max %d ms%n",
                WARMUP_SECONDS,
                warm.length,
                pct(warm, 0.5),
                pct(warm, 0.99),
                warm.length == 0 ? -1 : warm[warm.length - 1]);
        Thread.sleep(SECONDS * 1000L);
        long[] values = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf(
                "Broker-to-SSE latency (%s), %d clients active once a second each, %d s after the warm-up: "
                        + "%d events (%.0f/s)%n  p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
                BROKER,
                DEVICES,
                SECONDS,
                values.length,
                values.length / (double) SECONDS,
                pct(values, 0.5),
                pct(values, 0.9),
                pct(values, 0.99),
                values.length == 0 ? -1 : values[values.length - 1]);
        getById(baseUrl);
        ticker.shutdownNow();
        // their disconnects are changes too: let them pass before the fan-out is measured
        devices.forEach(d -> d.disconnect());
        Thread.sleep(5000);
    }

    /**
     * GET by id of random active clients, one request at a time through wrk, while the same load goes on (the
     * query target, here with the embedded broker's own lifecycle events rather than relayed ones).
     */
    private static void getById(String baseUrl) throws Exception {
        if (GET_SECONDS <= 0) {
            return;
        }
        if (!Wrk.installed()) {
            System.out.println("GET by id: skipped, wrk is not installed (apt-get install wrk)");
            return;
        }
        Path script = Wrk.script("""
                request = function()
                  return wrk.format(nil, string.format("/api/v0002/clientconnectionstates/lat-%%d", math.random(0, %d)))
                end
                """.formatted(DEVICES - 1));
        Optional<Wrk> wrk = Wrk.run(GET_SECONDS, AUTH, List.of("-s", script.toString(), baseUrl + "/"));
        wrk.ifPresent(w -> System.out.printf(
                "GET by id while %d clients are active once a second each, one request at "
                        + "a time, wrk, %d s: p50 %s ms, p99 %s ms, %s requests/s, non-2xx %s%n",
                DEVICES, GET_SECONDS, w.p50(), w.p99(), w.requestsPerSecond(), w.non2xx()));
    }

    /** SUBSCRIBERS streams at once; then one device connects and every stream must hear of it. */
    private static void fanOut(HttpClient http, int brokerPort, String prefix, long appPid) throws Exception {
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger received = new AtomicInteger();
        ConcurrentLinkedQueue<Long> arrivals = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subscribe(
                    http,
                    "fan-",
                    data -> {
                        received.incrementAndGet();
                        arrivals.add(System.currentTimeMillis());
                    },
                    opened);
            if (i % 500 == 499) {
                Thread.sleep(50);
            }
        }
        Instant deadline = Instant.now().plusSeconds(120);
        while (opened.get() < SUBSCRIBERS && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
        }
        System.out.printf(
                "%nConcurrent SSE subscribers: %d of %d open after %.1f s; connmon RSS %s%n",
                opened.get(), SUBSCRIBERS, (System.nanoTime() - start) / 1e9, rss(appPid));
        Thread.sleep(3000);
        long sent = System.currentTimeMillis();
        List<Mqtt5AsyncClient> device;
        if (prefix == null) {
            device = connect("fan-", 1, brokerPort);
        } else {
            device = connect("sse-bench-fan-" + prefix.hashCode(), 1, brokerPort);
            device.get(0)
                    .publishWith()
                    .topic(prefix + "fan-0")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(Events.connected("fan-0", Instant.now(), "c1")
                            .encode()
                            .getBytes(StandardCharsets.UTF_8))
                    .send();
        }
        deadline = Instant.now().plusSeconds(60);
        while (received.get() < opened.get() && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        long[] delays = arrivals.stream().mapToLong(t -> t - sent).sorted().toArray();
        System.out.printf(
                "  one change reached %d subscribers: p50 %d ms, p99 %d ms, last %d ms after the connect%n",
                received.get(),
                pct(delays, 0.5),
                pct(delays, 0.99),
                delays.length == 0 ? -1 : delays[delays.length - 1]);
        device.forEach(d -> d.disconnect());
    }

    private static void subscribe(HttpClient http, String prefix, Consumer<String> onData, AtomicInteger opened) {
        http.request(new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setURI("/api/v0002/clientconnectionstates?clientIdPrefix=" + prefix)
                        .addHeader("Accept", "text/event-stream")
                        .addHeader("Authorization", AUTH))
                .compose(request -> request.send())
                .onSuccess(response -> {
                    boolean[] counted = {false};
                    RecordParser lines = RecordParser.newDelimited("\n", line -> {
                        String text = line.toString(StandardCharsets.UTF_8);
                        if (!counted[0] && text.startsWith(":")) {
                            counted[0] = true;
                            opened.incrementAndGet();
                        } else if (text.startsWith("data:")) {
                            onData.accept(text);
                        }
                    });
                    response.handler(lines);
                })
                .onFailure(t -> System.err.println("subscriber failed: " + t.getMessage()));
    }

    private static List<Mqtt5AsyncClient> connect(String prefix, int count, int brokerPort) {
        List<Mqtt5AsyncClient> clients = new ArrayList<>();
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Mqtt5AsyncClient client = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier(prefix + i)
                    .serverHost("127.0.0.1")
                    .serverPort(brokerPort)
                    .buildAsync();
            clients.add(client);
            connecting.add(client.connect());
        }
        CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).join();
        return clients;
    }

    private static String rss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS"))
                    .map(l -> l.replaceAll("\\s+", " ").substring(7))
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * Planning and execution time per statement, when PostgreSQL runs with
     * {@code -Dbench.pg.shared_preload_libraries=pg_stat_statements -Dbench.pg.pg_stat_statements.track_planning=on}.
     */
    private static void statementTimes(EmbeddedDatabase pg) throws java.sql.SQLException {
        if (!System.getProperty("bench.pg.shared_preload_libraries", "").contains("pg_stat_statements")) {
            return;
        }
        try (java.sql.Connection db = TestDatabases.connect(
                        TestDatabases.remember(pg.datasourceConfig()).get("quarkus.datasource.jdbc.url"));
                java.sql.Statement sql = db.createStatement()) {
            sql.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            java.sql.ResultSet rs = sql.executeQuery("""
                    SELECT calls, plans, round(mean_plan_time::numeric, 3), round(mean_exec_time::numeric, 3),
                           round(max_exec_time::numeric, 1), regexp_replace(left(query, 70), '\\s+', ' ', 'g')
                      FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 8""");
            System.out.printf(
                    "  PostgreSQL statements (pg_stat_statements), by total time:%n    %8s %8s %9s %9s %9s  " + "%s%n",
                    "calls", "plans", "plan ms", "exec ms", "max ms", "statement");
            while (rs.next()) {
                System.out.printf(
                        "    %8d %8d %9s %9s %9s  %s%n",
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6));
            }
        }
    }

    private static long pct(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p) - 1)];
    }
}
