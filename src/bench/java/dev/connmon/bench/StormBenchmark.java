package dev.connmon.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.Events;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;

/**
 * Activity storms and reconnect storms: connmon's rate through a broker next to two ceilings measured in
 * the same run, for each workload and broker.
 * <ul>
 * <li><b>activity</b>: {@code bench.clients} (5 000) clients connected first (stored, not timed), then
 * {@code bench.events} (200 000) canonical {@code published} events round-robin over them, strictly later per client;
 * timed from the first publish until every client's stored activity is its last act (all checked exactly).</li>
 * <li><b>reconnect</b>: {@code bench.events} (100 000) new clients connecting, one canonical {@code connected} event
 * each, distinct connection ids; timed until every state is connected on its connection and every log row exists.</li>
 * </ul>
 * For each, through {@code mosquitto} (a Mosquitto of the run's own, no queue or in-flight limit, free port) and
 * {@code embedded} (connmon's embedded HiveMQ broker):
 * <ol>
 * <li><b>connmon</b>: the packaged app on a fresh PostgreSQL of its own (fsync on), QoS 1 events from one HiveMQ-client
 * connection with at most {@code bench.window} events published and not yet stored;</li>
 * <li><b>broker ceiling</b>: the same messages through the same broker to {@code mosquitto_sub} at QoS 1, with the
 * same window (published and not yet delivered), from the first publish to its exit after {@code -C N};</li>
 * <li><b>SQL ceiling</b>: the same writes from a plain client (Vert.x PG client, one connection, batches of
 * {@code bench.batch} (500), one transaction each) on a fresh copy of connmon's schema; for reconnect also on a
 * minimal schema (state with its primary key, log with one unique index).</li>
 * </ol>
 * With CPU (cores) of connmon, PostgreSQL, the broker and this harness, connmon's RSS, WAL bytes per event (insert
 * LSN difference, and by kind from pg_walinspect) and a verification of every effect. Run:
 * <pre>
 * ./mvnw -q -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.bench.StormBenchmark
 *     -Dbench.workload=activity|reconnect|both -Dbench.brokers=mosquitto,embedded -Dbench.repeat=3
 * </pre>
 * Options in docs/benchmarks.md; the summary lines are appended to {@code target/bench-storm/summary.tsv}.
 */
public final class StormBenchmark {
    private static final String WORKLOADS = System.getProperty("bench.workload", "both");
    private static final List<String> BROKERS = Arrays.stream(
                    System.getProperty("bench.brokers", "mosquitto,embedded").split(","))
            .map(String::trim)
            .filter(b -> !b.isEmpty())
            .toList();
    private static final int ACTIVITY_CLIENTS = Integer.getInteger("bench.clients", 5_000);
    private static final int ACTIVITY_EVENTS =
            Integer.getInteger("bench.activity.events", Integer.getInteger("bench.events", 200_000));
    private static final int RECONNECT_EVENTS =
            Integer.getInteger("bench.reconnect.events", Integer.getInteger("bench.events", 100_000));
    /** Events before each timed phase (connmon, broker ceiling, SQL ceiling), so that none measures a cold JIT. */
    private static final int WARMUP = Integer.getInteger("bench.warmup", 10_000);
    /** Events published and not yet stored (delivered), at most; 0: no limit. */
    private static final int WINDOW = Integer.getInteger("bench.window", 20_000);
    /**
     * The embedded broker's ceiling: HiveMQ queues at most 1 000 messages for an ordinary client (connmon's own
     * connection may hold 1 000 000) and drops the rest, so the window to mosquitto_sub stays below that.
     */
    private static final int EMBEDDED_CEILING_WINDOW = Integer.getInteger("bench.embedded.ceiling-window", 800);

    private static final int BATCH = Integer.getInteger("bench.batch", 500);
    private static final int REPEAT = Integer.getInteger("bench.repeat", 1);
    private static final boolean SQL_CEILING = !Boolean.getBoolean("bench.sql.skip");
    private static final boolean BROKER_CEILING = !Boolean.getBoolean("bench.broker-ceiling.skip");
    private static final boolean WAL_BREAKDOWN =
            Boolean.parseBoolean(System.getProperty("bench.wal.breakdown", "true"));
    private static final boolean VERBOSE = Boolean.getBoolean("bench.verbose");
    /** No progress for this long: events are lost, the run fails. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(Integer.getInteger("bench.stall-seconds", 60));

    /** connmon's canonical topics, outside connmon/ so that any client may publish there (as a broker plugin does). */
    private static final String EVENTS_PREFIX = "bench/events/";
    /**
     * The embedded broker delivers the canonical topics to connmon's own connection only (TopicGuard), so its
     * broker ceiling publishes the same payloads under a sibling prefix of the same length.
     */
    private static final String MIRROR_PREFIX = "bench/mirror/";
    /** Topics nobody subscribes to: how fast the broker takes QoS 1 publishes in (the same length again). */
    private static final String INTAKE_PREFIX = "bench/intake/";

    private final Path work;
    private final String commit;
    private final List<Result> results = new ArrayList<>();

    private StormBenchmark(Path work) {
        this.work = work;
        this.commit = gitCommit();
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench-storm"));
        try {
            new StormBenchmark(work).run();
        } catch (Throwable t) {
            // exec:java would wait for the MQTT and Vert.x threads before reporting it
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        List<Kind> kinds = switch (WORKLOADS) {
            case "activity" -> List.of(Kind.ACTIVITY);
            case "reconnect" -> List.of(Kind.RECONNECT);
            case "both" -> List.of(Kind.ACTIVITY, Kind.RECONNECT);
            default ->
                throw new IllegalArgumentException("bench.workload: activity, reconnect or both, not " + WORKLOADS);
        };
        for (String broker : BROKERS) {
            if (!broker.equals("mosquitto") && !broker.equals("embedded")) {
                throw new IllegalArgumentException("bench.brokers: mosquitto and/or embedded, not " + broker);
            }
        }
        System.out.printf(
                "Storm benchmark at %s, commit %s: workloads %s, brokers %s, %d repetition(s), window %,d, "
                        + "SQL batches of %d, warm-up %,d events; load %s, %d cores%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                commit,
                kinds,
                BROKERS,
                REPEAT,
                WINDOW,
                BATCH,
                WARMUP,
                ProcStats.load(),
                Runtime.getRuntime().availableProcessors());
        if (!BenchOptions.appSettings().isEmpty() || !BenchOptions.appJvmArgs().isEmpty()) {
            System.out.printf("connmon settings %s, JVM %s%n", BenchOptions.appSettings(), BenchOptions.appJvmArgs());
        }
        for (int repetition = 1; repetition <= REPEAT; repetition++) {
            for (Kind kind : kinds) {
                Workload workload = new Workload(kind);
                System.out.printf(
                        "%n=== run %d/%d: %s, %,d events over %,d clients ===%n",
                        repetition, REPEAT, kind.label, workload.events, workload.clients);
                SqlCeiling sql = SQL_CEILING ? sqlCeiling(workload) : SqlCeiling.NONE;
                for (String broker : BROKERS) {
                    Result result = viaBroker(workload, broker, sql, repetition);
                    results.add(result);
                    System.out.println(Result.HEADER);
                    System.out.println(result.line());
                    appendTsv(result);
                }
            }
        }
        printSummary();
    }

    // ------------------------------------------------------------------------------------------------- workloads

    enum Kind {
        ACTIVITY("activity"),
        RECONNECT("reconnect");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /**
     * One workload's events. Event {@code i} (0 ≤ i < events) is at {@code base + i} ms: later in publish order, so
     * the newest stored time tells how far connmon has got. Set-up and warm-up events come before {@code base}.
     */
    static final class Workload {
        final Kind kind;
        final int clients;
        final int events;
        final Instant base;
        /** Activity: client c's connect (set-up, not timed). */
        final Instant setupBase;

        final Instant warmupBase;
        private final String[] clientIds;
        private final byte[][] payloads;
        private final byte[][] warmupPayloads;

        Workload(Kind kind) {
            this.kind = kind;
            this.events = kind == Kind.ACTIVITY ? ACTIVITY_EVENTS : RECONNECT_EVENTS;
            this.clients = kind == Kind.ACTIVITY ? ACTIVITY_CLIENTS : events;
            if (kind == Kind.ACTIVITY && events < clients) {
                throw new IllegalArgumentException(
                        "bench.events (" + events + ") must be at least bench.clients (" + clients + ")");
            }
            // within the last few hours, as a live fleet's are: older ones would fall to the log retention, and
            // the log partitions of today and yesterday exist
            this.base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusMillis(events + 120_000L);
            this.warmupBase = base.minusMillis(WARMUP + 1_000L);
            this.setupBase = warmupBase.minusMillis(clients + 1_000L);
            clientIds = new String[clients];
            for (int c = 0; c < clients; c++) {
                clientIds[c] = clientId(c);
            }
            payloads = new byte[events][];
            for (int i = 0; i < events; i++) {
                payloads[i] = payload(i);
            }
            warmupPayloads = new byte[WARMUP][];
            for (int k = 0; k < WARMUP; k++) {
                warmupPayloads[k] = warmupPayload(k);
            }
        }

        static String clientId(int c) {
            return String.format("dev-%07d", c);
        }

        int clientOf(int i) {
            return kind == Kind.ACTIVITY ? i % clients : i;
        }

        Instant time(int i) {
            return base.plusMillis(i);
        }

        String connectionId(int i) {
            return "conn-" + i;
        }

        private byte[] payload(int i) {
            String id = clientId(clientOf(i));
            var json = kind == Kind.ACTIVITY
                    ? Events.event("published", id, time(i)).put("topic", "sensors/t")
                    : Events.connected(id, time(i), connectionId(i));
            return json.encode().getBytes(StandardCharsets.UTF_8);
        }

        /** The topic of event i: the prefix and its client id, as a broker plugin would publish it. */
        String topic(String prefix, int i) {
            return prefix + clientIds[clientOf(i)];
        }

        byte[] payloadOf(int i) {
            return payloads[i];
        }

        byte[] warmupPayloadOf(int k) {
            return warmupPayloads[k];
        }

        /** Activity: earlier acts of the connected clients; reconnect: connects of other clients (warm-…). */
        private byte[] warmupPayload(int k) {
            Instant at = warmupBase.plusMillis(k);
            var json = kind == Kind.ACTIVITY
                    ? Events.event("published", clientId(k % clients), at).put("topic", "sensors/t")
                    : Events.connected(warmupClientId(k), at, "warm-" + k);
            return json.encode().getBytes(StandardCharsets.UTF_8);
        }

        String warmupTopic(String prefix, int k) {
            return prefix + (kind == Kind.ACTIVITY ? clientIds[k % clients] : warmupClientId(k));
        }

        static String warmupClientId(int k) {
            return String.format("warm-%07d", k);
        }

        byte[] setupPayload(int c) {
            return Events.connected(clientId(c), setupBase.plusMillis(c), "setup-" + c)
                    .encode()
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------------------------ progress and checks

    /**
     * How many of the timed events are stored, as far as the newest stored event time shows: every event is newer
     * than those before it, and one source's batches commit in order. Only paces the publisher; completion is
     * {@link #complete} (exact). Reads one index entry (client_state's activity or connect sort key), bounded above
     * because the clients of this harness's own connections (publisher, mosquitto_sub) have times of now.
     */
    private static long newestStored(Connection db, Workload w) throws SQLException {
        synchronized (db) {
            try (PreparedStatement sql = db.prepareStatement(progressSql(w))) {
                sql.setObject(1, utc(w.base.plusMillis(w.events)));
                try (ResultSet rs = sql.executeQuery()) {
                    if (!rs.next() || rs.getObject(1) == null) {
                        return 0;
                    }
                    long ms = rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli() - w.base.toEpochMilli();
                    return Math.max(0, Math.min(w.events, ms + 1));
                }
            }
        }
    }

    /** The newest stored time below the bound, from the index of the list's sort (activity: client_activity, V12). */
    private static String progressSql(Workload w) {
        String key = w.kind == Kind.ACTIVITY ? "activity_key" : "coalesce(connect_time, '-infinity'::timestamptz)";
        String table = w.kind == Kind.ACTIVITY ? "client_activity" : "client_state";
        return "SELECT " + key + " FROM " + table + " WHERE " + key + " < ? AND " + key + " > '-infinity' ORDER BY "
                + key + " DESC LIMIT 1";
    }

    /** The progress query's plan, which must read one index entry, not the table. */
    private static String progressPlan(Connection db, Workload w) throws SQLException {
        synchronized (db) {
            try (PreparedStatement sql = db.prepareStatement("EXPLAIN (COSTS OFF) " + progressSql(w))) {
                sql.setObject(1, utc(w.base.plusMillis(w.events)));
                List<String> lines = new ArrayList<>();
                try (ResultSet rs = sql.executeQuery()) {
                    while (rs.next()) {
                        lines.add(rs.getString(1).strip());
                    }
                }
                return String.join(" / ", lines);
            }
        }
    }

    /**
     * The exact effect of every timed event: activity, every client's stored activity is its last publish;
     * reconnect, every client connected on its own connection and one log row per connect. {clients whose state is
     * exact, log rows}.
     */
    private static long[] effects(Connection db, Workload w) throws SQLException {
        synchronized (db) {
            if (w.kind == Kind.ACTIVITY) {
                try (PreparedStatement sql = db.prepareStatement("""
                        SELECT count(*) FROM client_state
                         WHERE client_id LIKE 'dev-%' AND activity_event = 'mqttPublish'
                           AND activity_time = ?::timestamptz + (substring(client_id FROM 5)::int
                               + ? * ((? - 1 - substring(client_id FROM 5)::int) / ?)) * interval '1 millisecond'
                        """)) {
                    sql.setObject(1, utc(w.base));
                    sql.setInt(2, w.clients);
                    sql.setInt(3, w.events);
                    sql.setInt(4, w.clients);
                    try (ResultSet rs = sql.executeQuery()) {
                        rs.next();
                        return new long[] {rs.getLong(1), -1};
                    }
                }
            }
            try (PreparedStatement sql = db.prepareStatement("""
                    SELECT (SELECT count(*) FROM client_state
                             WHERE client_id LIKE 'dev-%' AND connection_status = 'connected'
                               AND connect_connection_id = 'conn-' || substring(client_id FROM 5)::int
                               AND connect_time = ?::timestamptz
                                   + substring(client_id FROM 5)::int * interval '1 millisecond'),
                           (SELECT count(*) FROM connection_log
                             WHERE client_id LIKE 'dev-%' AND event = 'connected' AND event_time >= ?)
                    """)) {
                sql.setObject(1, utc(w.base));
                sql.setObject(2, utc(w.base));
                try (ResultSet rs = sql.executeQuery()) {
                    rs.next();
                    return new long[] {rs.getLong(1), rs.getLong(2)};
                }
            }
        }
    }

    private static boolean complete(long[] effects, Workload w) {
        return w.kind == Kind.ACTIVITY ? effects[0] == w.clients : effects[0] == w.events && effects[1] == w.events;
    }

    /** After the timed phase: every effect exactly once, nothing else, nothing rejected. */
    private static String verify(Connection db, Workload w) throws SQLException {
        long[] effects = effects(db, w);
        long states;
        long logRows;
        long rejected;
        synchronized (db) {
            try (Statement sql = db.createStatement();
                    ResultSet rs = sql.executeQuery("""
                         SELECT (SELECT count(*) FROM client_state WHERE client_id LIKE 'dev-%'),
                                (SELECT count(*) FROM connection_log WHERE client_id LIKE 'dev-%'),
                                (SELECT count(*) FROM rejected_message)""")) {
                rs.next();
                states = rs.getLong(1);
                logRows = rs.getLong(2);
                rejected = rs.getLong(3);
            }
        }
        // activity: the log holds the set-up connects only; reconnect: one row per connect
        long expectedLog = w.kind == Kind.ACTIVITY ? w.clients : w.events;
        String check = w.kind == Kind.ACTIVITY
                ? String.format(
                        "%,d of %,d clients show their last act, %,d states, %,d log rows (of %,d set-up connects), "
                                + "%d rejected",
                        effects[0], w.clients, states, logRows, expectedLog, rejected)
                : String.format(
                        "%,d of %,d clients connected on their connection, %,d states, %,d log rows of %,d, "
                                + "%d rejected",
                        effects[0], w.events, states, logRows, expectedLog, rejected);
        if (!complete(effects, w) || states != w.clients || logRows != expectedLog || rejected != 0) {
            throw new IllegalStateException("effects lost, doubled or rejected: " + check);
        }
        return "verified: " + check;
    }

    /** Waits until {@code done} returns true, failing when {@code progress} has not moved for bench.stall-seconds. */
    private static void await(String what, Check done, Progress progress) throws Exception {
        await(what, done, progress, STALL_NANOS);
    }

    private static void await(String what, Check done, Progress progress, long stallNanos) throws Exception {
        long last = progress.read();
        long lastMove = System.nanoTime();
        while (!done.holds()) {
            long now = progress.read();
            if (now != last) {
                last = now;
                lastMove = System.nanoTime();
            } else if (System.nanoTime() - lastMove > stallNanos) {
                throw new IllegalStateException(
                        what + ": no progress for " + stallNanos / 1_000_000_000L + " s, stuck at " + now);
            }
            Thread.sleep(5);
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    interface Progress {
        long read() throws Exception;
    }

    // ------------------------------------------------------------------------------------------ through a broker

    /** connmon through one broker and that broker's delivery ceiling, on a PostgreSQL of their own. */
    private Result viaBroker(Workload w, String broker, SqlCeiling sql, int repetition) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        Path pgDir = work.resolve("postgres-connmon");
        Result result = new Result(w, broker, sql, repetition);
        System.out.printf("%n--- %s via %s ---%n", w.kind.label, broker);
        try (EmbeddedDatabase pg = BenchDatabase.start(pgDir)) {
            String jdbcUrl = BenchDatabase.jdbcUrl(pg);
            createToolsDatabase(jdbcUrl);
            Map<String, String> properties = new LinkedHashMap<>(TestDatabases.remember(pg.datasourceConfig()));
            properties.put(
                    "connmon.embedded.data-dir", work.resolve("data-" + run).toString());
            properties.put("quarkus.security.users.embedded.users.bench", "bench-token");
            properties.put("quarkus.security.users.embedded.roles.bench", "reader");
            properties.put("quarkus.log.level", "WARN");
            properties.put("connmon.canonical.topic-prefix", EVENTS_PREFIX);
            properties.put("connmon.mqtt.topics", EVENTS_PREFIX + "#");
            int brokerPort = PackagedApp.freePort();
            if (broker.equals("mosquitto")) {
                properties.put("connmon.mqtt.host", "127.0.0.1");
                properties.put("connmon.mqtt.port", Integer.toString(brokerPort));
                properties.put("connmon.mqtt.client-id", "connmon-bench-" + run);
            } else {
                properties.put("connmon.embedded.broker-port", Integer.toString(brokerPort));
            }
            properties.putAll(BenchOptions.appSettings());
            if (broker.equals("mosquitto")) {
                try (OwnMosquitto mosquitto = OwnMosquitto.start(work, brokerPort)) {
                    // before connmon subscribes to the same topics: the subscriber is their only one
                    Mqtt5AsyncClient publisher = connectPublisher(run, brokerPort);
                    if (BROKER_CEILING) {
                        brokerCeiling(
                                w, publisher, brokerPort, EVENTS_PREFIX, WINDOW, mosquitto.pid(), "Mosquitto", result);
                    }
                    try (PackagedApp app = PackagedApp.start(properties, BenchOptions.appJvmArgs())) {
                        connmon(w, app, publisher, jdbcUrl, pgDir, mosquitto.pid(), result);
                    }
                    publisher.disconnect().get(10, TimeUnit.SECONDS);
                }
            } else {
                try (PackagedApp app = PackagedApp.start(properties, BenchOptions.appJvmArgs())) {
                    Mqtt5AsyncClient publisher = connectPublisher(run, brokerPort);
                    if (BROKER_CEILING) {
                        brokerCeiling(
                                w,
                                publisher,
                                brokerPort,
                                MIRROR_PREFIX,
                                Math.min(WINDOW == 0 ? Integer.MAX_VALUE : WINDOW, EMBEDDED_CEILING_WINDOW),
                                app.pid(),
                                "broker (in connmon)",
                                result);
                    }
                    connmon(w, app, publisher, jdbcUrl, pgDir, -1, result);
                    publisher.disconnect().get(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            deleteTree(work.resolve("data-" + run));
        }
        return result;
    }

    private static Mqtt5AsyncClient connectPublisher(String run, int port) throws Exception {
        Mqtt5AsyncClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier("bench-publisher-" + run)
                .serverHost("127.0.0.1")
                .serverPort(port)
                .buildAsync();
        client.connect().get(30, TimeUnit.SECONDS);
        return client;
    }

    /** The timed connmon phase: set-up, warm-up, then the events until their every effect is stored. */
    private void connmon(
            Workload w,
            PackagedApp app,
            Mqtt5AsyncClient client,
            String jdbcUrl,
            Path pgDir,
            long brokerPid,
            Result result)
            throws Exception {
        try (Connection db = TestDatabases.connect(jdbcUrl)) {
            connmon(w, app, client, db, jdbcUrl, pgDir, brokerPid, result);
        }
    }

    private void connmon(
            Workload w,
            PackagedApp app,
            Mqtt5AsyncClient client,
            Connection db,
            String jdbcUrl,
            Path pgDir,
            long brokerPid,
            Result result)
            throws Exception {
        if (w.kind == Kind.ACTIVITY) {
            // the connected fleet, stored first (not timed)
            WindowedPublisher setup = new WindowedPublisher(client, 0, () -> 0);
            for (int c = 0; c < w.clients; c++) {
                setup.publish(EVENTS_PREFIX + Workload.clientId(c), w.setupPayload(c));
            }
            Progress connected = () -> count(db, "SELECT count(*) FROM client_state WHERE client_id LIKE 'dev-%'");
            await("set-up connects", () -> connected.read() == w.clients, connected);
        }
        if (WARMUP > 0) {
            WindowedPublisher warm = new WindowedPublisher(client, 0, () -> 0);
            for (int k = 0; k < WARMUP; k++) {
                warm.publish(w.warmupTopic(EVENTS_PREFIX, k), w.warmupPayloadOf(k));
            }
            Instant lastWarm = w.warmupBase.plusMillis(WARMUP - 1);
            String column = w.kind == Kind.ACTIVITY ? "activity_time" : "connect_time";
            String lastClient = w.kind == Kind.ACTIVITY
                    ? Workload.clientId((WARMUP - 1) % w.clients)
                    : Workload.warmupClientId(WARMUP - 1);
            Progress warmed = () -> count(
                    db,
                    "SELECT count(*) FROM client_state WHERE client_id = '" + lastClient + "' AND " + column + " >= '"
                            + lastWarm + "'");
            Progress changes = () -> count(db, "SELECT last_value FROM state_change_id_seq");
            await("warm-up", () -> warmed.read() == 1, changes);
        }
        // let the monitoring topic and the change feed catch up, then start from a clean checkpoint
        Thread.sleep(1500);
        System.out.println("  progress query: " + progressPlan(db, w));
        Map<String, Double> batchesBefore = batchMetrics(app);
        checkpoint(jdbcUrl);
        String lsn0 = insertLsn(jdbcUrl);
        PostgresProfile postgres = PostgresProfile.start(jdbcUrl, pgDir);

        PeakRss rss = new PeakRss(app.pid());
        Map<String, DoubleSupplier> sources = new LinkedHashMap<>();
        sources.put("connmon", CpuMeter.process(app.pid()));
        sources.put("PostgreSQL", CpuMeter.postgres(pgDir));
        if (brokerPid > 0) {
            sources.put("broker", CpuMeter.process(brokerPid));
        }
        sources.put("harness", CpuMeter::selfSeconds);
        ProgressFollower stored = new ProgressFollower("stored", () -> newestStored(db, w), 5);
        CpuMeter cpu = CpuMeter.start(sources);
        long start = System.nanoTime();
        WindowedPublisher events = new WindowedPublisher(client, WINDOW, stored::value);
        Thread verbose = VERBOSE ? verbose(start, events::published, stored::value) : null;
        for (int i = 0; i < w.events; i++) {
            events.publish(w.topic(EVENTS_PREFIX, i), w.payloadOf(i));
        }
        double publishSeconds = (System.nanoTime() - start) / 1e9;
        await("stored", () -> stored.value() >= w.events, stored::value);
        // exact: the interval ends where the first query that saw every effect began (its snapshot)
        long[] end = new long[1];
        await(
                "every effect",
                () -> {
                    end[0] = System.nanoTime();
                    return complete(effects(db, w), w);
                },
                () -> effects(db, w)[0]);
        double seconds = (end[0] - start) / 1e9;
        CpuMeter.Reading used = cpu.stop();
        stored.close();
        rss.close();
        if (verbose != null) {
            verbose.interrupt();
        }
        String lsn1 = insertLsn(jdbcUrl);
        String postgresProfile = postgres.stop(w.events);
        result.connmonRate = w.events / seconds;
        result.cpu = used;
        result.rssMaxMb = rss.max();
        result.walPerEvent = walBytes(jdbcUrl, lsn0, lsn1) / (double) w.events;
        result.walKinds = WAL_BREAKDOWN ? walKinds(jdbcUrl, lsn0, lsn1, w.events) : "";
        result.windowWait = events.waitSeconds() / seconds;
        result.verification = verify(db, w);
        System.out.printf(
                "  connmon: %,d events published in %.1f s (%d publish failures; the window was full %.0f %% of the "
                        + "time%s), every effect stored after %.2f s: %.0f events/s%n",
                w.events,
                publishSeconds,
                events.failures(),
                100 * result.windowWait,
                WINDOW > 0 && w.events > WINDOW && result.windowWait < 0.05
                        ? ": connmon kept up, the publisher or the broker's intake set the pace"
                        : "",
                seconds,
                result.connmonRate);
        System.out.printf(
                "  CPU, cores of %d: %s; machine busy %.0f %% (load %s); connmon RSS max %d MB%n",
                Runtime.getRuntime().availableProcessors(),
                coresText(used),
                100 * used.machineBusy(),
                ProcStats.load(),
                result.rssMaxMb);
        System.out.printf("  WAL %.0f B/event%s%n", result.walPerEvent, result.walKinds);
        printBatches(batchesBefore, batchMetrics(app));
        System.out.print(postgresProfile);
        System.out.println("  " + result.verification);
    }

    private static Thread verbose(
            long start, java.util.function.LongSupplier published, java.util.function.LongSupplier stored) {
        Thread t = new Thread(
                () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        try {
                            Thread.sleep(1000);
                        } catch (InterruptedException e) {
                            return;
                        }
                        System.out.printf(
                                "    %5.1f s: published %,d, stored %,d%n",
                                (System.nanoTime() - start) / 1e9, published.getAsLong(), stored.getAsLong());
                    }
                },
                "verbose");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * connmon's ingest batch metrics (count, sum and max of batch sizes, count and sum of write times) and how often
     * the monitoring publisher fell behind the change feed and resumed from its cursor.
     */
    private static Map<String, Double> batchMetrics(PackagedApp app) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String line : app.metricLines("connmon_")) {
            if (line.startsWith("connmon_ingest_batch_size_")
                    || line.startsWith("connmon_ingest_write_seconds_")
                    || line.startsWith("connmon_monitor_resumes_total")) {
                try {
                    values.put(
                            line.substring(0, line.indexOf(' '))
                                    .replace("connmon_ingest_", "")
                                    .replace("connmon_", ""),
                            Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                } catch (RuntimeException e) {
                    // a line of another shape: not needed
                }
            }
        }
        return values;
    }

    /** How full connmon's batches were in the timed phase and how long a batch's write took. */
    private static void printBatches(Map<String, Double> before, Map<String, Double> after) {
        double batches = after.getOrDefault("batch_size_count", Double.NaN)
                - before.getOrDefault("batch_size_count", Double.NaN);
        double writes = after.getOrDefault("write_seconds_count", Double.NaN)
                - before.getOrDefault("write_seconds_count", Double.NaN);
        if (!(batches > 0) || !(writes > 0)) {
            System.out.println("  batches: metrics unavailable " + after.keySet());
            return;
        }
        System.out.printf(
                "  connmon's batches: %.0f, mean %.1f events (largest since its start %.0f); a batch's write %.1f ms "
                        + "on average; the monitoring publisher resumed from its cursor %.0f times%n",
                batches,
                (after.get("batch_size_sum") - before.getOrDefault("batch_size_sum", 0.0)) / batches,
                after.getOrDefault("batch_size_max", Double.NaN),
                1000 * (after.get("write_seconds_sum") - before.getOrDefault("write_seconds_sum", 0.0)) / writes,
                after.getOrDefault("monitor_resumes_total", Double.NaN)
                        - before.getOrDefault("monitor_resumes_total", 0.0));
    }

    // ----------------------------------------------------------------------------------- ceiling 1: the broker

    /**
     * The same messages through the same broker to one mosquitto_sub at QoS 1, paced by the same window (published
     * and not yet delivered). A retained probe on the subscribed tree shows that the subscription is live; the
     * warm-up goes first; the timed events follow, and mosquitto_sub exits after the last.
     */
    private void brokerCeiling(
            Workload w,
            Mqtt5AsyncClient client,
            int port,
            String prefix,
            int window,
            long brokerPid,
            String brokerName,
            Result result)
            throws Exception {
        brokerIntake(w, client, brokerPid, brokerName, result);
        String probeTopic = prefix + "probe";
        client.publishWith()
                .topic(probeTopic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .retain(true)
                .payload("probe".getBytes(StandardCharsets.UTF_8))
                .send()
                .get(10, TimeUnit.SECONDS);
        long expected = 1L + WARMUP + w.events;
        Path log = work.resolve("mosquitto_sub.log");
        Process sub = new ProcessBuilder(
                        "mosquitto_sub",
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(port),
                        "-q",
                        "1",
                        "-i",
                        "bench-sub-" + UUID.randomUUID().toString().substring(0, 8),
                        "-t",
                        prefix + "#",
                        "-C",
                        Long.toString(expected),
                        // one byte per message: counts, and costs the subscriber nothing to print
                        "-N",
                        "-F",
                        "x")
                .redirectError(log.toFile())
                .start();
        AtomicLong delivered = new AtomicLong();
        Thread reader = new Thread(
                () -> {
                    byte[] buffer = new byte[65536];
                    try (InputStream in = sub.getInputStream()) {
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            delivered.addAndGet(n);
                        }
                    } catch (IOException e) {
                        // the process has gone
                    }
                },
                "mosquitto_sub-output");
        reader.setDaemon(true);
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (delivered.get() < 1) {
                if (!sub.isAlive() || System.nanoTime() > deadline) {
                    result.brokerNote =
                            "mosquitto_sub got no message (exit " + (sub.isAlive() ? "none" : sub.exitValue()) + "): "
                                    + Files.readString(log).strip();
                    System.out.println("  broker ceiling: " + result.brokerNote);
                    return;
                }
                Thread.sleep(10);
            }
            WindowedPublisher warm = new WindowedPublisher(client, window, () -> delivered.get() - 1);
            for (int k = 0; k < WARMUP; k++) {
                warm.publish(w.warmupTopic(prefix, k), w.warmupPayloadOf(k));
            }
            await("broker warm-up", () -> delivered.get() >= 1 + WARMUP, delivered::get, TimeUnit.SECONDS.toNanos(15));
            Map<String, DoubleSupplier> sources = new LinkedHashMap<>();
            sources.put(brokerName, CpuMeter.process(brokerPid));
            sources.put("mosquitto_sub", CpuMeter.process(sub.pid()));
            sources.put("harness", CpuMeter::selfSeconds);
            CpuMeter cpu = CpuMeter.start(sources);
            // the subscriber's CPU is read from /proc while it runs; once it exits it counts as 0
            double[] subCpu = {0};
            Thread subWatch = new Thread(
                    () -> {
                        while (sub.isAlive()) {
                            subCpu[0] = Math.max(subCpu[0], ProcStats.cpuSeconds(sub.pid()));
                            try {
                                Thread.sleep(20);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "mosquitto_sub-cpu");
            subWatch.setDaemon(true);
            double subCpu0 = ProcStats.cpuSeconds(sub.pid());
            subWatch.start();
            long start = System.nanoTime();
            WindowedPublisher events = new WindowedPublisher(client, window, () -> delivered.get() - 1 - WARMUP);
            for (int i = 0; i < w.events; i++) {
                events.publish(w.topic(prefix, i), w.payloadOf(i));
            }
            try {
                await("broker delivery", () -> !sub.isAlive(), delivered::get, TimeUnit.SECONDS.toNanos(15));
            } catch (IllegalStateException stalled) {
                // a broker that dropped messages: no ceiling, but the run goes on
                result.brokerNote = String.format(
                        "mosquitto_sub stalled at %,d of %,d messages (dropped by the broker?)",
                        delivered.get() - 1 - WARMUP, w.events);
                System.out.println("  broker ceiling: " + result.brokerNote);
                return;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            CpuMeter.Reading used = cpu.stop();
            subWatch.join(1000);
            Map<String, Double> cores = new LinkedHashMap<>(used.cores());
            cores.put("mosquitto_sub", (subCpu[0] - subCpu0) / seconds);
            result.brokerRate = w.events / seconds;
            result.brokerCpu = new CpuMeter.Reading(used.seconds(), cores, used.machineBusy());
            System.out.printf(
                    "  broker ceiling: %,d messages to mosquitto_sub (QoS 1, %s, window %,d) in %.2f s: %.0f events/s; "
                            + "exit %d; CPU %s; window full %.0f %% of the time%s%n",
                    w.events,
                    prefix + "#",
                    window,
                    seconds,
                    result.brokerRate,
                    sub.exitValue(),
                    coresText(result.brokerCpu),
                    100 * events.waitSeconds() / seconds,
                    window > 0 && w.events > window && events.waitSeconds() / seconds < 0.05
                            ? " (the subscriber kept up: the publisher or the broker's intake set the pace)"
                            : "");
            result.brokerWindowWait = events.waitSeconds() / seconds;
        } catch (IllegalStateException stalled) {
            result.brokerNote = "broker ceiling failed: " + stalled.getMessage();
            System.out.println("  " + result.brokerNote);
        } finally {
            if (sub.isAlive()) {
                sub.destroy();
                sub.waitFor(5, TimeUnit.SECONDS);
                sub.destroyForcibly();
            }
            // nothing retained is left for connmon to read as an event
            client.publishWith()
                    .topic(probeTopic)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .retain(true)
                    .payload(new byte[0])
                    .send()
                    .get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * How fast the broker acknowledges the same QoS 1 publishes from the same publisher when nobody subscribes: the
     * most any consumer behind it can get from this publisher. Through the embedded broker the publisher may have
     * only HiveMQ's server receive maximum (10 by default) unacknowledged.
     */
    private void brokerIntake(Workload w, Mqtt5AsyncClient client, long brokerPid, String brokerName, Result result)
            throws Exception {
        WindowedPublisher warm = WindowedPublisher.pacedByAcks(client, WINDOW);
        for (int k = 0; k < WARMUP; k++) {
            warm.publish(w.warmupTopic(INTAKE_PREFIX, k), w.warmupPayloadOf(k));
        }
        await("intake warm-up", () -> warm.acked() + warm.failures() >= WARMUP, warm::acked);
        Map<String, DoubleSupplier> sources = new LinkedHashMap<>();
        sources.put(brokerName, CpuMeter.process(brokerPid));
        sources.put("harness", CpuMeter::selfSeconds);
        CpuMeter cpu = CpuMeter.start(sources);
        long start = System.nanoTime();
        WindowedPublisher events = WindowedPublisher.pacedByAcks(client, WINDOW);
        for (int i = 0; i < w.events; i++) {
            events.publish(w.topic(INTAKE_PREFIX, i), w.payloadOf(i));
        }
        await("intake", () -> events.acked() + events.failures() >= w.events, events::acked);
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuMeter.Reading used = cpu.stop();
        result.intakeRate = w.events / seconds;
        System.out.printf(
                "  broker intake: %,d QoS 1 publishes acknowledged (%s#, no subscriber, %d failed) in %.2f s: %.0f "
                        + "events/s; CPU %s%n",
                w.events, INTAKE_PREFIX, events.failures(), seconds, result.intakeRate, coresText(used));
    }

    // -------------------------------------------------------------------------------------- ceiling 2: the SQL

    /** The SQL ceilings of one workload (events/s and WAL bytes per event; NaN: not measured). */
    record SqlCeiling(double rate, double wal, String walKinds, double minimalRate, double minimalWal) {
        static final SqlCeiling NONE = new SqlCeiling(Double.NaN, Double.NaN, "", Double.NaN, Double.NaN);
    }

    /** The activity columns of the batch's clients, newer acts only (order independence needs the guard). */
    private static final String ACTIVITY_SQL = """
            UPDATE client_state AS s
               SET activity_time = u.activity_time, activity_event = u.activity_event,
                   activity_rank = u.activity_rank, updated_at = now()
              FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::smallint[])
                   AS u(client_id, activity_time, activity_event, activity_rank)
             WHERE s.client_id = u.client_id
               AND (s.activity_time IS NULL OR (u.activity_time, u.activity_rank) > (s.activity_time, s.activity_rank))
            """;

    /** The connects' log rows and state upsert (the connect group, activity, source) in one statement. */
    private static final String RECONNECT_SQL = """
            WITH e AS (
                SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[],
                                     $7::text[], $8::uuid[])
                       AS e(client_id, event_time, connection_id, ip_address, protocol_version, node, source, dedup_key)
            ), logged AS (
                INSERT INTO LOG (client_id, event_time, event, connection_id, ip_address, protocol_version, node,
                                 dialect, dedup_key, source)
                SELECT client_id, event_time, 'connected', connection_id, ip_address, protocol_version, node,
                       'connmon', dedup_key, source
                  FROM e
                ON CONFLICT (client_id, dedup_key, event_time) DO NOTHING
            )
            INSERT INTO STATE AS s (client_id, connect_time, connect_connection_id, protocol_version, ip_address, node,
                                    activity_time, activity_event, activity_rank, source)
            SELECT client_id, event_time, connection_id, protocol_version, ip_address, node,
                   event_time, 'mqttConnect', 1, source
              FROM e
            ON CONFLICT (client_id) DO UPDATE SET
                connect_time = EXCLUDED.connect_time, connect_connection_id = EXCLUDED.connect_connection_id,
                protocol_version = EXCLUDED.protocol_version, ip_address = EXCLUDED.ip_address, node = EXCLUDED.node,
                connect_closed = false, activity_time = EXCLUDED.activity_time,
                activity_event = EXCLUDED.activity_event, activity_rank = EXCLUDED.activity_rank,
                source = EXCLUDED.source, updated_at = now()
             WHERE s.connect_time IS NULL OR EXCLUDED.connect_time > s.connect_time
            """;

    /** State with its primary key, log with its one unique index: what the issue's 58 000/s was measured on. */
    private static final String MINIMAL_SCHEMA = """
            CREATE TABLE state (
                client_id             text COLLATE "C" PRIMARY KEY,
                connect_time          timestamptz(3),
                connect_connection_id text COLLATE "C",
                protocol_version      text,
                ip_address            text,
                node                  text,
                connect_closed        boolean NOT NULL DEFAULT false,
                activity_time         timestamptz(3),
                activity_event        text,
                activity_rank         smallint,
                source                text,
                updated_at            timestamptz(3) NOT NULL DEFAULT now());
            CREATE TABLE log (
                client_id        text COLLATE "C" NOT NULL,
                event_time       timestamptz(3) NOT NULL,
                event            text NOT NULL,
                connection_id    text COLLATE "C",
                ip_address       text,
                protocol_version text,
                node             text,
                dialect          text NOT NULL,
                dedup_key        uuid NOT NULL,
                source           text,
                received_at      timestamptz(3) NOT NULL DEFAULT now());
            CREATE UNIQUE INDEX log_dedup_idx ON log (client_id, dedup_key, event_time);
            """;

    private SqlCeiling sqlCeiling(Workload w) throws Exception {
        Path pgDir = work.resolve("postgres-sql");
        try (EmbeddedDatabase pg = BenchDatabase.start(pgDir)) {
            String jdbcUrl = BenchDatabase.jdbcUrl(pg);
            System.out.printf(
                    "%n--- %s: SQL ceilings ---%nPostgreSQL: %s%n",
                    w.kind.label, BenchDatabase.serverSettings(jdbcUrl));
            createToolsDatabase(jdbcUrl);
            Flyway.configure()
                    .dataSource(jdbcUrl, TestDatabases.USER, TestDatabases.password(jdbcUrl))
                    .load()
                    .migrate();
            Vertx vertx = Vertx.vertx();
            try {
                if (w.kind == Kind.ACTIVITY) {
                    return activitySql(w, vertx, pg, jdbcUrl, pgDir);
                }
                double[] full = reconnectSql(
                        w, vertx, pg, "postgres", "connmon's schema", "client_state", "connection_log", pgDir);
                String fullWalKinds = lastWalKinds;
                try (Connection db = TestDatabases.connect(jdbcUrl);
                        Statement sql = db.createStatement()) {
                    sql.execute("CREATE DATABASE minimal");
                }
                String minimalUrl = jdbcUrl.replaceFirst("/postgres$", "/minimal");
                try (Connection db = TestDatabases.connect(minimalUrl);
                        Statement sql = db.createStatement()) {
                    sql.execute(MINIMAL_SCHEMA);
                }
                double[] minimal =
                        reconnectSql(w, vertx, pg, "minimal", "the minimal two-index schema", "state", "log", pgDir);
                return new SqlCeiling(full[0], full[1], fullWalKinds, minimal[0], minimal[1]);
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().join();
            }
        }
    }

    private String lastWalKinds = "";

    private SqlCeiling activitySql(Workload w, Vertx vertx, EmbeddedDatabase pg, String jdbcUrl, Path pgDir)
            throws Exception {
        // the connected fleet, as connmon's connects would leave it
        try (Connection db = TestDatabases.connect(jdbcUrl);
                PreparedStatement insert = db.prepareStatement("""
                        INSERT INTO client_state (client_id, connect_time, connect_connection_id, protocol_version,
                                                  ip_address, node, activity_time, activity_event, activity_rank,
                                                  source)
                        SELECT 'dev-' || lpad(c::text, 7, '0'), ?::timestamptz + c * interval '1 millisecond',
                               'setup-' || c, '5.0', '192.0.2.10', 'broker-1',
                               ?::timestamptz + c * interval '1 millisecond', 'mqttConnect', 1, 'default'
                          FROM generate_series(0, ? - 1) AS c""")) {
            insert.setObject(1, utc(w.setupBase));
            insert.setObject(2, utc(w.setupBase));
            insert.setInt(3, w.clients);
            insert.executeUpdate();
        }
        IntFunction<Tuple> warmBatch = b -> activityTuple(
                Math.min(BATCH, WARMUP - b * BATCH),
                k -> Workload.clientId((b * BATCH + k) % w.clients),
                k -> w.warmupBase.plusMillis(b * BATCH + k));
        List<Tuple> batches = new ArrayList<>();
        for (int from = 0; from < w.events; from += BATCH) {
            int first = from;
            batches.add(activityTuple(
                    Math.min(BATCH, w.events - from),
                    k -> Workload.clientId(w.clientOf(first + k)),
                    k -> w.time(first + k)));
        }
        Pool pool = pool(vertx, pg, "postgres");
        try {
            for (int b = 0; b * BATCH < WARMUP; b++) {
                execute(pool, ACTIVITY_SQL, warmBatch.apply(b));
            }
            double[] measured = timed(jdbcUrl, pgDir, pool, ACTIVITY_SQL, batches, w.events);
            try (Connection db = TestDatabases.connect(jdbcUrl)) {
                long[] effects = effects(db, w);
                if (!complete(effects, w)) {
                    throw new IllegalStateException("SQL ceiling: " + effects[0] + " of " + w.clients + " exact");
                }
            }
            System.out.printf(
                    "  SQL ceiling, connmon's schema: UPDATE client_state … FROM unnest, %d batches of %d, one "
                            + "connection: %.0f events/s, WAL %.0f B/event%s; verified: %,d of %,d clients show their "
                            + "last act%n",
                    batches.size(), BATCH, measured[0], measured[1], lastWalKinds, w.clients, w.clients);
            return new SqlCeiling(measured[0], measured[1], lastWalKinds, Double.NaN, Double.NaN);
        } finally {
            pool.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private static Tuple activityTuple(int size, IntFunction<String> client, IntFunction<Instant> time) {
        String[] ids = new String[size];
        OffsetDateTime[] times = new OffsetDateTime[size];
        String[] events = new String[size];
        Short[] ranks = new Short[size];
        for (int k = 0; k < size; k++) {
            ids[k] = client.apply(k);
            times[k] = utc(time.apply(k));
            events[k] = "mqttPublish";
            ranks[k] = 4;
        }
        return Tuple.from(Arrays.<Object>asList(ids, times, events, ranks));
    }

    /** {events/s, WAL bytes per event} of reconnect's writes on one schema. */
    private double[] reconnectSql(
            Workload w,
            Vertx vertx,
            EmbeddedDatabase pg,
            String database,
            String schema,
            String state,
            String log,
            Path pgDir)
            throws Exception {
        String statement = RECONNECT_SQL.replace("INTO LOG", "INTO " + log).replace("INTO STATE", "INTO " + state);
        String url = BenchDatabase.jdbcUrl(pg).replaceFirst("/postgres$", "/" + database);
        List<Tuple> warm = new ArrayList<>();
        for (int from = 0; from < WARMUP; from += BATCH) {
            int first = from;
            warm.add(connectTuple(
                    Math.min(BATCH, WARMUP - from),
                    k -> Workload.warmupClientId(first + k),
                    k -> w.warmupBase.plusMillis(first + k),
                    k -> "warm-" + (first + k)));
        }
        List<Tuple> batches = new ArrayList<>();
        for (int from = 0; from < w.events; from += BATCH) {
            int first = from;
            batches.add(connectTuple(
                    Math.min(BATCH, w.events - from),
                    k -> Workload.clientId(first + k),
                    k -> w.time(first + k),
                    k -> w.connectionId(first + k)));
        }
        Pool pool = pool(vertx, pg, database);
        try {
            for (Tuple batch : warm) {
                execute(pool, statement, batch);
            }
            double[] measured = timed(url, pgDir, pool, statement, batches, w.events);
            long states;
            long rows;
            try (Connection db = TestDatabases.connect(url)) {
                states = count(
                        db,
                        "SELECT count(*) FROM " + state + " WHERE client_id LIKE 'dev-%' AND connect_time >= '" + w.base
                                + "'");
                rows = count(db, "SELECT count(*) FROM " + log + " WHERE client_id LIKE 'dev-%'");
            }
            if (states != w.events || rows != w.events) {
                throw new IllegalStateException(
                        "SQL ceiling on " + schema + ": " + states + " states, " + rows + " log rows of " + w.events);
            }
            System.out.printf(
                    "  SQL ceiling, %s: log insert + state upsert in one statement, %d batches of %d, one "
                            + "connection: %.0f events/s, WAL %.0f B/event%s; verified: %,d states, %,d log rows%n",
                    schema, batches.size(), BATCH, measured[0], measured[1], lastWalKinds, states, rows);
            return measured;
        } finally {
            pool.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private static Tuple connectTuple(
            int size, IntFunction<String> client, IntFunction<Instant> time, IntFunction<String> connection) {
        String[] ids = new String[size];
        OffsetDateTime[] times = new OffsetDateTime[size];
        String[] connections = new String[size];
        String[] ips = new String[size];
        String[] protocols = new String[size];
        String[] nodes = new String[size];
        String[] sources = new String[size];
        UUID[] keys = new UUID[size];
        for (int k = 0; k < size; k++) {
            ids[k] = client.apply(k);
            Instant at = time.apply(k);
            times[k] = utc(at);
            connections[k] = connection.apply(k);
            ips[k] = "192.0.2.10";
            protocols[k] = "5.0";
            nodes[k] = "broker-1";
            sources[k] = "default";
            keys[k] = UUID.nameUUIDFromBytes(("connected\u0000" + at.toEpochMilli() + "\u0000" + connections[k])
                    .getBytes(StandardCharsets.UTF_8));
        }
        return Tuple.from(Arrays.<Object>asList(ids, times, connections, ips, protocols, nodes, sources, keys));
    }

    /** The batches one after the other, one transaction each, from a checkpoint: {events/s, WAL bytes per event}. */
    private double[] timed(String jdbcUrl, Path pgDir, Pool pool, String statement, List<Tuple> batches, int events)
            throws Exception {
        checkpoint(jdbcUrl);
        String lsn0 = insertLsn(jdbcUrl);
        Map<String, DoubleSupplier> sources = new LinkedHashMap<>();
        sources.put("PostgreSQL", CpuMeter.postgres(pgDir));
        sources.put("harness", CpuMeter::selfSeconds);
        CpuMeter cpu = CpuMeter.start(sources);
        long start = System.nanoTime();
        for (Tuple batch : batches) {
            execute(pool, statement, batch);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuMeter.Reading used = cpu.stop();
        String lsn1 = insertLsn(jdbcUrl);
        lastWalKinds = WAL_BREAKDOWN ? walKinds(jdbcUrl, lsn0, lsn1, events) : "";
        System.out.printf("    (%.2f s; CPU %s)%n", seconds, coresText(used));
        return new double[] {events / seconds, walBytes(jdbcUrl, lsn0, lsn1) / (double) events};
    }

    private static void execute(Pool pool, String statement, Tuple batch) {
        pool.withTransaction(connection -> connection.preparedQuery(statement).execute(batch))
                .toCompletionStage()
                .toCompletableFuture()
                .join();
    }

    /** One connection with the application's settings. */
    private static Pool pool(Vertx vertx, EmbeddedDatabase pg, String database) {
        return BenchDatabase.applicationPool(vertx, pg, database, 1);
    }

    // ----------------------------------------------------------------------------------------------- WAL, tools

    /** A database for pg_walinspect, so that connmon's own database holds nothing of the harness. */
    private static void createToolsDatabase(String jdbcUrl) throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement sql = db.createStatement()) {
            sql.execute("CREATE DATABASE bench_tools");
        }
        try (Connection db = TestDatabases.connect(toolsUrl(jdbcUrl));
                Statement sql = db.createStatement()) {
            sql.execute("CREATE EXTENSION pg_walinspect");
        } catch (SQLException e) {
            System.out.println("  pg_walinspect unavailable (" + e.getMessage() + "): no WAL breakdown");
        }
    }

    private static String toolsUrl(String jdbcUrl) {
        return jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + "bench_tools";
    }

    private static void checkpoint(String jdbcUrl) throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement sql = db.createStatement()) {
            sql.execute("CHECKPOINT");
        }
    }

    /**
     * Where WAL is being inserted now. The difference of two is the exact WAL the server wrote in between, all of
     * its sessions; pg_stat_wal.wal_bytes is the same sum, but each session adds to it only when it reports its
     * statistics (at most once a second, when idle), so it lags behind an interval's end.
     */
    private static String insertLsn(String jdbcUrl) throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement sql = db.createStatement();
                ResultSet rs = sql.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long walBytes(String jdbcUrl, String from, String to) throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                PreparedStatement sql = db.prepareStatement("SELECT pg_wal_lsn_diff(?::pg_lsn, ?::pg_lsn)::bigint")) {
            sql.setString(1, to);
            sql.setString(2, from);
            try (ResultSet rs = sql.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** WAL by resource manager (pg_walinspect), bytes per event, full-page images included and shown apart. */
    private static String walKinds(String jdbcUrl, String from, String to, int events) {
        try (Connection db = TestDatabases.connect(toolsUrl(jdbcUrl));
                PreparedStatement sql = db.prepareStatement("""
                        SELECT "resource_manager/record_type", combined_size, fpi_size
                          FROM pg_get_wal_stats(?::pg_lsn, least(?::pg_lsn, pg_current_wal_flush_lsn()))
                         WHERE combined_size > 0 ORDER BY combined_size DESC""")) {
            sql.setString(1, from);
            sql.setString(2, to);
            List<String> kinds = new ArrayList<>();
            long fpi = 0;
            long total = 0;
            try (ResultSet rs = sql.executeQuery()) {
                while (rs.next()) {
                    total += rs.getLong(2);
                    fpi += rs.getLong(3);
                    if (kinds.size() < 5) {
                        kinds.add(String.format("%s %.0f", rs.getString(1), rs.getLong(2) / (double) events));
                    }
                }
            }
            return String.format(
                    " (%s; full-page images %.0f %%)", String.join(", ", kinds), total == 0 ? 0 : 100.0 * fpi / total);
        } catch (SQLException e) {
            return " (no breakdown: " + e.getMessage().lines().findFirst().orElse("") + ")";
        }
    }

    /** connmon's data folder of one phase (its embedded broker's persistence): gigabytes over many runs. */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static long count(Connection db, String query) throws SQLException {
        synchronized (db) {
            try (Statement sql = db.createStatement();
                    ResultSet rs = sql.executeQuery(query)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static String coresText(CpuMeter.Reading reading) {
        return reading.cores().entrySet().stream()
                .map(e -> String.format("%s %.2f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** connmon's resident memory, once a second, the largest seen. */
    private static final class PeakRss implements AutoCloseable {
        private final Thread thread;
        private volatile long max;

        PeakRss(long pid) {
            max = ProcStats.rssMb(pid);
            thread = new Thread(
                    () -> {
                        while (!Thread.currentThread().isInterrupted()) {
                            max = Math.max(max, ProcStats.rssMb(pid));
                            try {
                                Thread.sleep(1000);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "rss");
            thread.setDaemon(true);
            thread.start();
        }

        long max() {
            return max;
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(2000);
        }
    }

    private static String gitCommit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            Process dirty = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no")
                    .redirectErrorStream(true)
                    .start();
            boolean modified = dirty.getInputStream().readAllBytes().length > 0;
            return git.waitFor() == 0 ? out + (modified ? "+modified" : "") : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    // -------------------------------------------------------------------------------------------------- results

    /** One workload through one broker, with the run's ceilings. */
    private static final class Result {
        static final String HEADER = String.format(
                "%-9s %-9s %3s %8s | %9s %9s %9s %9s %9s | %5s %5s | %-20s | %6s | %-15s | %-7s | %s",
                "workload",
                "broker",
                "run",
                "events",
                "connmon/s",
                "broker/s",
                "intake/s",
                "sql/s",
                "sqlmin/s",
                "ratio",
                "r.min",
                "cores conn/pg/brk/h",
                "RSS MB",
                "WAL B/ev c/s/m",
                "full c/b",
                "verified");

        final Workload workload;
        final String broker;
        final SqlCeiling sql;
        final int repetition;
        double connmonRate = Double.NaN;
        double brokerRate = Double.NaN;
        double intakeRate = Double.NaN;
        String brokerNote = "";
        CpuMeter.Reading brokerCpu;
        CpuMeter.Reading cpu;
        long rssMaxMb = -1;
        double walPerEvent = Double.NaN;
        String walKinds = "";
        double windowWait = Double.NaN;
        double brokerWindowWait = Double.NaN;
        String verification = "NOT VERIFIED";

        Result(Workload workload, String broker, SqlCeiling sql, int repetition) {
            this.workload = workload;
            this.broker = broker;
            this.sql = sql;
            this.repetition = repetition;
        }

        /** The lower of the broker's delivery and the SQL on connmon's schema. */
        double ratio() {
            return connmonRate / min(brokerRate, sql.rate());
        }

        /** Against the lower of the broker and the minimal schema's SQL (the reconnect storm's target ratio). */
        double ratioMinimal() {
            return Double.isNaN(sql.minimalRate()) ? Double.NaN : connmonRate / min(brokerRate, sql.minimalRate());
        }

        double cores(String name) {
            return cpu == null ? Double.NaN : cpu.cores(name);
        }

        String line() {
            return String.format(
                    "%-9s %-9s %3d %8d | %9.0f %9.0f %9.0f %9.0f %9.0f | %5.2f %5.2f | %4.2f/%4.2f/%4s/%4.2f | %6d | "
                            + "%4.0f/%4.0f/%4.0f | %3.0f/%3.0f | %s",
                    workload.kind.label,
                    broker,
                    repetition,
                    workload.events,
                    connmonRate,
                    brokerRate,
                    intakeRate,
                    sql.rate(),
                    sql.minimalRate(),
                    ratio(),
                    ratioMinimal(),
                    cores("connmon"),
                    cores("PostgreSQL"),
                    broker.equals("embedded") ? "in c" : String.format("%4.2f", cores("broker")),
                    cores("harness"),
                    rssMaxMb,
                    walPerEvent,
                    sql.wal(),
                    sql.minimalWal(),
                    100 * windowWait,
                    100 * brokerWindowWait,
                    verification.startsWith("verified") ? "yes" : "NO");
        }

        private static double min(double a, double b) {
            return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.min(a, b);
        }
    }

    private void appendTsv(Result r) throws IOException {
        Path tsv = work.resolve("summary.tsv");
        if (!Files.exists(tsv)) {
            Files.writeString(
                    tsv,
                    String.join(
                                    "\t",
                                    "time",
                                    "commit",
                                    "workload",
                                    "broker",
                                    "events",
                                    "clients",
                                    "connmon_per_s",
                                    "broker_per_s",
                                    "intake_per_s",
                                    "sql_per_s",
                                    "sql_minimal_per_s",
                                    "ratio",
                                    "ratio_minimal",
                                    "cores_connmon",
                                    "cores_postgres",
                                    "cores_broker",
                                    "cores_harness",
                                    "machine_busy",
                                    "rss_max_mb",
                                    "wal_per_event",
                                    "sql_wal_per_event",
                                    "sql_minimal_wal_per_event",
                                    "window_full",
                                    "broker_window_full",
                                    "verified",
                                    "app_settings")
                            + "\n");
        }
        Files.writeString(
                tsv,
                String.join(
                                "\t",
                                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                                commit,
                                r.workload.kind.label,
                                r.broker,
                                Integer.toString(r.workload.events),
                                Integer.toString(r.workload.clients),
                                fmt(r.connmonRate),
                                fmt(r.brokerRate),
                                fmt(r.intakeRate),
                                fmt(r.sql.rate()),
                                fmt(r.sql.minimalRate()),
                                String.format("%.3f", r.ratio()),
                                String.format("%.3f", r.ratioMinimal()),
                                String.format("%.2f", r.cores("connmon")),
                                String.format("%.2f", r.cores("PostgreSQL")),
                                String.format("%.2f", r.cores("broker")),
                                String.format("%.2f", r.cores("harness")),
                                String.format("%.2f", r.cpu == null ? Double.NaN : r.cpu.machineBusy()),
                                Long.toString(r.rssMaxMb),
                                fmt(r.walPerEvent),
                                fmt(r.sql.wal()),
                                fmt(r.sql.minimalWal()),
                                String.format("%.2f", r.windowWait),
                                String.format("%.2f", r.brokerWindowWait),
                                Boolean.toString(r.verification.startsWith("verified")),
                                BenchOptions.appSettings() + " " + BenchOptions.appJvmArgs())
                        + "\n",
                StandardOpenOption.APPEND);
    }

    private static String fmt(double value) {
        return Double.isNaN(value) ? "" : String.format("%.0f", value);
    }

    private void printSummary() {
        System.out.printf(
                "%nSummary (load at the end %s; events/s; ratio = connmon / lower of broker and SQL on connmon's "
                        + "schema, r.min = the same with the minimal schema's SQL; WAL bytes per event of connmon / "
                        + "SQL / minimal SQL)%n",
                ProcStats.load());
        System.out.println(Result.HEADER);
        results.forEach(r -> System.out.println(r.line()));
        results.stream()
                .filter(r -> !r.brokerNote.isEmpty())
                .forEach(r -> System.out.printf(
                        "  note, %s via %s, run %d: %s%n",
                        r.workload.kind.label, r.broker, r.repetition, r.brokerNote));
        if (REPEAT > 1) {
            System.out.println("\nMedians [min – max] over the repetitions:");
            Map<String, List<Result>> groups = results.stream()
                    .collect(Collectors.groupingBy(
                            r -> r.workload.kind.label + " via " + r.broker, LinkedHashMap::new, Collectors.toList()));
            groups.forEach((name, group) -> {
                System.out.printf("  %s (%d runs)%n", name, group.size());
                stat("connmon events/s", group, r -> r.connmonRate, "%.0f");
                stat("broker ceiling events/s", group, r -> r.brokerRate, "%.0f");
                stat("broker intake events/s (no subscriber)", group, r -> r.intakeRate, "%.0f");
                stat("SQL ceiling events/s", group, r -> r.sql.rate(), "%.0f");
                stat("SQL ceiling (minimal schema) events/s", group, r -> r.sql.minimalRate(), "%.0f");
                stat("ratio to the lower ceiling", group, Result::ratio, "%.2f");
                stat("ratio (minimal schema)", group, Result::ratioMinimal, "%.2f");
                stat("connmon cores", group, r -> r.cores("connmon"), "%.2f");
                stat("PostgreSQL cores", group, r -> r.cores("PostgreSQL"), "%.2f");
                stat("Mosquitto cores", group, r -> r.cores("broker"), "%.2f");
                stat("harness cores", group, r -> r.cores("harness"), "%.2f");
                stat("connmon RSS max MB", group, r -> r.rssMaxMb, "%.0f");
                stat("WAL B/event, connmon", group, r -> r.walPerEvent, "%.0f");
                stat("WAL B/event, SQL ceiling", group, r -> r.sql.wal(), "%.0f");
                stat("WAL B/event, minimal SQL", group, r -> r.sql.minimalWal(), "%.0f");
            });
        }
    }

    private static void stat(
            String label, List<Result> group, java.util.function.ToDoubleFunction<Result> value, String format) {
        double[] values = group.stream()
                .mapToDouble(value)
                .filter(v -> !Double.isNaN(v))
                .sorted()
                .toArray();
        if (values.length == 0) {
            return;
        }
        double median = values.length % 2 == 1
                ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
        System.out.printf(
                "    %-40s " + format + "  [" + format + " – " + format + "]%n",
                label,
                median,
                values[0],
                values[values.length - 1]);
    }
}
