package dev.connmon.bench;

import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.query.PagePosition;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateListQuery;
import dev.connmon.query.StateSort;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Query latency on a million clients: loads 1 000 000 client states into a fresh PostgreSQL 17 (zonky),
 * starts the packaged connmon against it, prints the plan of every filter and sort (no sequential scan of
 * client_state or client_activity allowed) and the p50/p99 latency of the API calls docs/benchmarks.md names.
 * <p>
 * Run: {@code ./mvnw -Pbench -DskipTests package exec:java} (see docs/benchmarks.md).
 */
public final class QueryBenchmark {
    private static final int CLIENTS = Integer.getInteger("bench.clients", 1_000_000);
    private static final int WARMUP = Integer.getInteger("bench.warmup", 300);
    private static final int REQUESTS = Integer.getInteger("bench.requests", 2_000);
    private static final String KEY = "bench";
    private static final String TOKEN = "bench-token";

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String auth =
            "Basic " + Base64.getEncoder().encodeToString((KEY + ":" + TOKEN).getBytes(StandardCharsets.UTF_8));
    private String base;

    public static void main(String[] args) throws Exception {
        new QueryBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench"));
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(work.resolve("postgres"), true)) {
            Map<String, String> properties = new LinkedHashMap<>(TestDatabases.remember(pg.datasourceConfig()));
            properties.put("connmon.embedded.broker-port", Integer.toString(PackagedApp.freePort()));
            properties.put("connmon.embedded.data-dir", work.resolve("data").toString());
            properties.put("quarkus.security.users.embedded.users." + KEY, TOKEN);
            properties.put("quarkus.security.users.embedded.roles." + KEY, "reader,admin");
            properties.put("quarkus.log.level", "WARN");
            String jvmArgs = System.getProperty("bench.app.jvm-args", "").trim();
            try (PackagedApp app = PackagedApp.start(
                            properties, jvmArgs.isEmpty() ? List.of() : List.of(jvmArgs.split("\\s+")));
                    Connection db = TestDatabases.connect(properties.get("quarkus.datasource.jdbc.url"))) {
                base = app.baseUrl();
                load(db);
                explainAll(db);
                measure();
                long hold = Long.getLong("bench.hold-seconds", 0);
                if (hold > 0) {
                    System.out.printf("%nconnmon stays up for %d s at %s (API key %s:%s)%n", hold, base, KEY, TOKEN);
                    Thread.sleep(hold * 1000);
                }
            }
        }
    }

    /**
     * 40 % disconnected (by client, server or network, at random), connects spread over the last 30 days, activity
     * between connect and now, Watson device ids over 10 organizations and 50 device types.
     */
    static void load(Connection db) throws Exception {
        long start = System.nanoTime();
        try (Statement sql = db.createStatement()) {
            sql.execute("SELECT setseed(0.42)");
            sql.execute("""
                    INSERT INTO client_state (client_id, connect_time, connect_connection_id, protocol_version,
                        ip_address, node, connect_closed, disconnect_time, disconnect_connection_id,
                        disconnect_initiator, disconnect_reason_code, disconnect_reason, activity_time,
                        activity_event, activity_rank)
                    SELECT id, ct, 'c' || n, '5.0', '10.' || (n % 250) || '.' || (n / 250 % 250) || '.1', 'broker-1',
                           disc,
                           CASE WHEN disc THEN dt END, CASE WHEN disc THEN 'c' || n END,
                           CASE WHEN disc THEN (ARRAY['client', 'server', 'network'])[1 + cause] END,
                           CASE WHEN disc THEN (ARRAY[0, 141, NULL])[1 + cause] END, NULL,
                           CASE WHEN disc THEN dt ELSE ct + (now() - ct) * random() END,
                           CASE WHEN disc THEN 'mqttDisconnect' ELSE 'mqttPublish' END,
                           CASE WHEN disc THEN 5 ELSE 4 END
                      FROM (SELECT n, 'd:org' || (n % 10) || ':type' || (n % 50) || ':dev' || lpad(n::text, 7, '0') AS id,
                                   ct, ct + interval '1 hour' * random() AS dt, random() < 0.4 AS disc,
                                   floor(random() * 3)::int AS cause
                              FROM (SELECT n, now() - interval '30 days' * random() AS ct
                                      FROM generate_series(1, CLIENTS) AS n) g) s
                    """.replace("CLIENTS", Integer.toString(CLIENTS)));
            sql.execute("VACUUM ANALYZE client_state");
            sql.execute("VACUUM ANALYZE client_activity");
            try (ResultSet rs = sql.executeQuery("""
                    SELECT pg_size_pretty(pg_total_relation_size('client_state')),
                           pg_size_pretty(pg_total_relation_size('client_activity'))""")) {
                rs.next();
                System.out.printf(
                        "%nLoaded %,d clients in %.1f s; with indexes client_state %s, client_activity %s%n",
                        CLIENTS, (System.nanoTime() - start) / 1e9, rs.getString(1), rs.getString(2));
            }
        }
    }

    private static void explainAll(Connection db) throws Exception {
        Instant now = Instant.now();
        Instant twoDays = now.minus(Duration.ofDays(2));
        Map<String, StateListQuery> queries = new LinkedHashMap<>();
        StateSort byId = StateSort.BY_ID;
        queries.put("all, by id", StateListQuery.of(StateFilter.ALL, byId, null, 26));
        queries.put(
                "page after a bookmark, by id",
                StateListQuery.of(StateFilter.ALL, byId, new PagePosition(null, "d:org5:type25:dev0500000"), 26));
        queries.put(
                "connectionStatus=connected", StateListQuery.of(filter(f -> f.status = "connected"), byId, null, 26));
        queries.put(
                "connectionStatus=disconnected",
                StateListQuery.of(filter(f -> f.status = "disconnected"), byId, null, 26));
        queries.put("connectedAfter=P2D", StateListQuery.of(filter(f -> f.connectedAfter = twoDays), byId, null, 26));
        queries.put(
                "connectedAfter=P2D, -lastActivityTime",
                StateListQuery.of(
                        filter(f -> f.connectedAfter = twoDays),
                        new StateSort(StateSort.Field.LAST_ACTIVITY_TIME, true),
                        null,
                        26));
        queries.put("connectedBefore=P2D", StateListQuery.of(filter(f -> f.connectedBefore = twoDays), byId, null, 26));
        queries.put(
                "disconnectedAfter=P2D", StateListQuery.of(filter(f -> f.disconnectedAfter = twoDays), byId, null, 26));
        queries.put(
                "disconnectedBefore=P2D",
                StateListQuery.of(filter(f -> f.disconnectedBefore = twoDays), byId, null, 26));
        queries.put(
                "activeAfter=PT1H",
                StateListQuery.of(filter(f -> f.activeAfter = now.minusSeconds(3600)), byId, null, 26));
        queries.put(
                "activeBefore=P20D",
                StateListQuery.of(filter(f -> f.activeBefore = now.minus(Duration.ofDays(20))), byId, null, 26));
        queries.put(
                "disconnectInitiator=server", StateListQuery.of(filter(f -> f.initiator = "server"), byId, null, 26));
        queries.put("disconnectReasonCode=141", StateListQuery.of(filter(f -> f.reasonCode = 141), byId, null, 26));
        queries.put(
                "clientIdPrefix=d:org3:type13:dev00",
                StateListQuery.of(filter(f -> f.prefix = "d:org3:type13:dev00"), byId, null, 26));
        queries.put("clientType=device", StateListQuery.of(filter(f -> f.clientType = "device"), byId, null, 26));
        queries.put("deviceType=type7", StateListQuery.of(filter(f -> f.deviceType = "type7"), byId, null, 26));
        queries.put(
                "deviceType=type7&connectionStatus=disconnected",
                StateListQuery.of(
                        filter(f -> {
                            f.deviceType = "type7";
                            f.status = "disconnected";
                        }),
                        byId,
                        null,
                        26));
        queries.put("deviceId=dev0123456", StateListQuery.of(filter(f -> f.deviceId = "dev0123456"), byId, null, 26));
        for (StateSort.Field field : StateSort.Field.values()) {
            for (boolean descending : new boolean[] {false, true}) {
                StateSort sort = new StateSort(field, descending);
                queries.put("_sort=" + sort.apiName(), StateListQuery.of(StateFilter.ALL, sort, null, 26));
                queries.put(
                        "_sort=" + sort.apiName() + " after a bookmark",
                        StateListQuery.of(
                                StateFilter.ALL,
                                sort,
                                new PagePosition(now.minus(Duration.ofDays(3)), "d:org5:type25:dev0500000"),
                                26));
            }
        }
        System.out.printf("%n%-48s %10s  %s%n", "query (first page, 25 rows)", "exec ms", "plan");
        int sequential = 0;
        try (Statement sql = db.createStatement()) {
            for (var entry : queries.entrySet()) {
                StateListQuery query = entry.getValue();
                sql.execute("DEALLOCATE ALL");
                sql.execute("PREPARE q AS " + query.sql());
                List<String> plan = new ArrayList<>();
                try (ResultSet rs =
                        sql.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE q(" + literals(query.params()) + ")")) {
                    while (rs.next()) {
                        plan.add(rs.getString(1));
                    }
                }
                String text = String.join("\n", plan);
                if (text.contains("Seq Scan on client_state") || text.contains("Seq Scan on client_activity")) {
                    sequential++;
                }
                System.out.printf("%-48s %10s  %s%n", entry.getKey(), executionMs(text), summary(plan));
            }
        }
        System.out.printf(
                "%nQueries planned with a sequential scan of client_state or client_activity: %d of %d%n",
                sequential, queries.size());
    }

    private void measure() throws Exception {
        Random random = new Random(7);
        Map<String, IntFunction<String>> scenarios = new LinkedHashMap<>();
        scenarios.put(
                "GET by id (random client)",
                i -> "/api/v0002/clientconnectionstates/" + encode(clientId(1 + random.nextInt(CLIENTS))));
        scenarios.put(
                "first page, connectionStatus=connected",
                i -> "/api/v0002/clientconnectionstates?connectionStatus=connected");
        scenarios.put(
                "first page, connectedAfter=P2D&_sort=-lastActivityTime",
                i -> "/api/v0002/clientconnectionstates?connectedAfter=P2D&_sort=-lastActivityTime");
        scenarios.put("page 1, all clients by id", i -> "/api/v0002/clientconnectionstates");
        String page1000 = pageUrl(1000);
        scenarios.put("page 1000, all clients by id", i -> page1000);
        scenarios.put(
                "first page, deviceType=type7&connectionStatus=disconnected",
                i -> "/api/v0002/clientconnectionstates?deviceType=type7&connectionStatus=disconnected");
        scenarios.put(
                "connection log of one client",
                i -> "/api/v0002/logs/connection?clientId=" + encode(clientId(1 + random.nextInt(CLIENTS))));

        System.out.printf("%nHTTP latency, one request at a time (%d warm-up, %d measured)%n", WARMUP, REQUESTS);
        System.out.printf("%-58s %8s %8s %8s%n", "request", "p50 ms", "p99 ms", "max ms");
        for (var scenario : scenarios.entrySet()) {
            for (int i = 0; i < WARMUP; i++) {
                get(scenario.getValue().apply(i));
            }
            double[] millis = new double[REQUESTS];
            for (int i = 0; i < REQUESTS; i++) {
                long start = System.nanoTime();
                get(scenario.getValue().apply(i));
                millis[i] = (System.nanoTime() - start) / 1e6;
            }
            Arrays.sort(millis);
            System.out.printf(
                    "%-58s %8.2f %8.2f %8.2f%n",
                    scenario.getKey(),
                    millis[REQUESTS / 2],
                    millis[(int) Math.ceil(REQUESTS * 0.99) - 1],
                    millis[REQUESTS - 1]);
        }
        measureWithWrk(page1000);
    }

    /** The same requests through wrk (one connection, 10 s each), when it is installed. */
    private void measureWithWrk(String page1000) throws Exception {
        if (!Wrk.installed()) {
            System.out.println("\n(wrk not installed: apt-get install wrk for the wrk measurements)");
            return;
        }
        Path script = Wrk.script("""
                math.randomseed(7)
                request = function()
                  local n = math.random(1, %d)
                  local id = string.format("d:org%%d:type%%d:dev%%07d", n %% 10, n %% 50, n)
                  return wrk.format(nil, "/api/v0002/clientconnectionstates/" .. id)
                end
                """.formatted(CLIENTS));
        Map<String, List<String>> runs = new LinkedHashMap<>();
        runs.put("GET by id (random client)", List.of("-s", script.toString(), base + "/"));
        runs.put(
                "first page, connectionStatus=connected",
                List.of(base + "/api/v0002/clientconnectionstates?connectionStatus=connected"));
        runs.put(
                "first page, connectedAfter=P2D&_sort=-lastActivityTime",
                List.of(base + "/api/v0002/clientconnectionstates?connectedAfter=P2D&_sort=-lastActivityTime"));
        runs.put("page 1, all clients by id", List.of(base + "/api/v0002/clientconnectionstates"));
        runs.put("page 1000, all clients by id", List.of(base + page1000));
        runs.put("/q/health/live (no database)", List.of(base + "/q/health/live"));
        System.out.printf("%nHTTP latency through wrk, 1 connection, 10 s each%n");
        System.out.printf("%-58s %8s %8s %10s%n", "request", "p50 ms", "p99 ms", "req/s");
        for (var run : runs.entrySet()) {
            Wrk result = Wrk.run(10, auth, run.getValue()).orElseThrow();
            System.out.printf(
                    "%-58s %8s %8s %10s%n", run.getKey(), result.p50(), result.p99(), result.requestsPerSecond());
            if (!result.non2xx().equals("0")) {
                System.out.println("  wrk saw non-2xx answers: " + result.non2xx());
            }
        }
    }

    /** The URL of page {@code page} of the full listing by id, found by following the bookmarks. */
    private String pageUrl(int page) throws Exception {
        String url = "/api/v0002/clientconnectionstates";
        for (int i = 1; i < page; i++) {
            String body = get(url);
            Matcher bookmark = Pattern.compile("\"bookmark\":\"([^\"]+)\"").matcher(body);
            if (!bookmark.find()) {
                throw new IllegalStateException("listing ended before page " + page);
            }
            url = "/api/v0002/clientconnectionstates?_bookmark=" + bookmark.group(1);
        }
        return url;
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

    private static String clientId(int n) {
        return "d:org" + (n % 10) + ":type" + (n % 50) + ":dev" + String.format("%07d", n);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String literals(List<Object> params) {
        List<String> out = new ArrayList<>();
        for (Object p : params) {
            if (p instanceof Number) {
                out.add(p.toString());
            } else if (p instanceof OffsetDateTime t) {
                out.add("'" + t + "'::timestamptz");
            } else {
                out.add("'" + p.toString().replace("'", "''") + "'");
            }
        }
        return String.join(", ", out);
    }

    private static String executionMs(String plan) {
        Matcher m = Pattern.compile("Execution Time: ([0-9.]+) ms").matcher(plan);
        return m.find() ? m.group(1) : "?";
    }

    /** The plan's scan nodes, one line. */
    private static String summary(List<String> plan) {
        List<String> nodes = new ArrayList<>();
        for (String line : plan) {
            String trimmed = line.replaceFirst("^\\s*(->\\s*)?", "");
            if (trimmed.contains("Scan") || trimmed.startsWith("Sort ") || trimmed.startsWith("Incremental Sort")) {
                nodes.add(trimmed.replaceAll("\\s*\\(cost=.*", ""));
            }
        }
        return String.join(" | ", nodes);
    }

    /** A mutable stand-in to build filters field by field. */
    private static final class FilterBuilder {
        String status;
        Instant connectedAfter;
        Instant connectedBefore;
        Instant disconnectedAfter;
        Instant disconnectedBefore;
        Instant activeAfter;
        Instant activeBefore;
        String initiator;
        Integer reasonCode;
        String prefix;
        String clientType;
        String deviceType;
        String deviceId;
    }

    private static StateFilter filter(java.util.function.Consumer<FilterBuilder> setter) {
        FilterBuilder f = new FilterBuilder();
        setter.accept(f);
        Map<StateFilter.Field, Object> values = new HashMap<>();
        values.put(StateFilter.Field.CONNECTION_STATUS, f.status);
        values.put(StateFilter.Field.CONNECTED_AFTER, f.connectedAfter);
        values.put(StateFilter.Field.CONNECTED_BEFORE, f.connectedBefore);
        values.put(StateFilter.Field.DISCONNECTED_AFTER, f.disconnectedAfter);
        values.put(StateFilter.Field.DISCONNECTED_BEFORE, f.disconnectedBefore);
        values.put(StateFilter.Field.ACTIVE_AFTER, f.activeAfter);
        values.put(StateFilter.Field.ACTIVE_BEFORE, f.activeBefore);
        values.put(StateFilter.Field.DISCONNECT_INITIATOR, f.initiator);
        values.put(StateFilter.Field.DISCONNECT_REASON_CODE, f.reasonCode);
        values.put(StateFilter.Field.CLIENT_ID_PREFIX, f.prefix);
        values.put(StateFilter.Field.CLIENT_TYPE, f.clientType);
        values.put(StateFilter.Field.DEVICE_TYPE, f.deviceType);
        values.put(StateFilter.Field.DEVICE_ID, f.deviceId);
        return StateFilter.of(values);
    }
}
