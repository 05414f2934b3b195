package dev.connmon.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.StateRepositories;
import dev.connmon.state.StateRepository;
import dev.connmon.support.Events;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.flywaydb.core.Flyway;

/**
 * Ingest throughput side by side with what this PostgreSQL can take, in one run on one fresh
 * PostgreSQL 17 (zonky):
 * <ol>
 * <li><b>ceiling</b>: connmon's own statement ({@link StateRepository#apply}) driven with pre-built events in
 * batches, on 1, 2 and 4 connections, no MQTT in between;</li>
 * <li><b>naive</b>: one transaction per event (INSERT the log row, INSERT … ON CONFLICT the state), the way
 * broker "save client events to PostgreSQL" recipes do it, on 1 and 4 connections;</li>
 * <li><b>connmon</b>: the packaged application, fed canonical QoS 1 events through its embedded broker and through
 * Mosquitto, as fast as it stores them; every event is checked in: none lost, none stored twice.</li>
 * </ol>
 * Events are connect/publish/disconnect cycles, round-robin over the clients, strictly later per client, each
 * connection with its own id, so every event is distinct and changes its client's state.
 * <p>
 * {@code ./mvnw -q package -DskipTests && ./mvnw -q -Pbench test-compile exec:java
 * -Dbench.main=dev.connmon.bench.IngestBenchmark} (options in docs/benchmarks.md).
 */
public final class IngestBenchmark {
    private static final int CLIENTS = Integer.getInteger("bench.clients", 100_000);
    private static final int ROUNDS = Math.max(1, Integer.getInteger("bench.events", 1_000_000) / CLIENTS);
    private static final int EVENTS = CLIENTS * ROUNDS;
    private static final int CEILING_BATCH = Integer.getInteger("bench.ceiling.batch", 1000);
    private static final int[] CEILING_CONNECTIONS = ints(System.getProperty("bench.ceiling.connections", "1,2,4"));
    private static final int NAIVE_EVENTS = Integer.getInteger("bench.naive.events", 50_000);
    private static final int[] NAIVE_CONNECTIONS = ints(System.getProperty("bench.naive.connections", "1,4"));
    private static final List<String> BROKERS =
            List.of(System.getProperty("bench.brokers", "embedded,mosquitto").split(","));
    /** {@code machine}: 127.0.0.1:1883 as installed; {@code own}: a Mosquitto of the run's own, limits raised. */
    private static final String MOSQUITTO = System.getProperty("bench.mosquitto", "machine");
    /** Events published but not yet stored, at most; 0: no limit (a burst). */
    private static final int WINDOW = Integer.getInteger("bench.window", 20_000);
    /**
     * Stock Mosquitto queues 1000 messages for a subscriber and drops the rest: stay below it. Mosquitto 2.0.11
     * dropped with 900 outstanding (it counts more than the queue against the limit), never with 400.
     */
    private static final int STOCK_MOSQUITTO_WINDOW = Integer.getInteger("bench.mosquitto.window", 400);

    private static final int LATENCY_SECONDS = Integer.getInteger("bench.latency-seconds", 20);
    private static final int LATENCY_RATE = Integer.getInteger("bench.latency-rate", 1000);
    /**
     * Events of the last hour, as a live fleet sends them: older ones would fall to connmon's log retention
     * (connmon.log.retention, 30 days) in the middle of a run and the log-row check would count them lost.
     */
    private static final Instant T0 =
            Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(java.time.Duration.ofHours(1));

    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("bench:bench-token".getBytes(StandardCharsets.UTF_8));

    private final String[] clientIds = new String[CLIENTS];
    private final Path work;
    private EmbeddedDatabase pg;
    private String jdbcUrl;
    private final Map<String, String> results = new LinkedHashMap<>();

    private IngestBenchmark(Path work) {
        this.work = work;
        for (int c = 0; c < CLIENTS; c++) {
            clientIds[c] = String.format("dev-%07d", c);
        }
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench-ingest"));
        try {
            new IngestBenchmark(work).run();
        } catch (Throwable t) {
            // exec:java would wait for the MQTT and Vert.x threads before reporting it
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf(
                "Ingest benchmark: %,d events over %,d clients (%d per client), load %s, %d cores%n",
                EVENTS, CLIENTS, ROUNDS, ProcStats.load(), Runtime.getRuntime().availableProcessors());
        // PostgreSQL's defaults (fsync, synchronous commit), which the naive baseline's commit per event needs above
        // all; any other server setting, e.g. -Dbench.pg.session_preload_libraries=auto_explain to see the plans
        try (EmbeddedDatabase database = BenchDatabase.start(work.resolve("postgres"))) {
            pg = database;
            jdbcUrl = BenchDatabase.jdbcUrl(database);
            Flyway.configure()
                    .dataSource(jdbcUrl, TestDatabases.USER, TestDatabases.password(jdbcUrl))
                    .load()
                    .migrate();
            System.out.println("PostgreSQL: " + BenchDatabase.serverSettings(jdbcUrl));
            double ceiling = ceiling();
            double naive = naive();
            for (String broker : BROKERS) {
                if (broker.isBlank() || broker.equals("none")) {
                    continue;
                }
                double rate = connmon(broker.trim());
                if (ceiling > 0) {
                    results.put(
                            "connmon via " + broker.trim() + " / ceiling",
                            String.format("%.0f %%", 100 * rate / ceiling));
                }
                if (naive > 0) {
                    results.put("connmon via " + broker.trim() + " / naive", String.format("%.1f×", rate / naive));
                }
            }
        }
        System.out.printf("%nSummary (load at the end %s)%n", ProcStats.load());
        results.forEach((k, v) -> System.out.printf("  %-42s %s%n", k, v));
    }

    // ---------------------------------------------------------------------------------------------------- events

    private static EventType type(int round) {
        return switch (round % 3) {
            case 0 -> EventType.CONNECTED;
            case 1 -> EventType.PUBLISHED;
            default -> EventType.DISCONNECTED;
        };
    }

    /** Strictly later per client, spread over the second so that clients do not share one time. */
    private static Instant time(int round, int client) {
        return T0.plusMillis(round * 1000L + client % 1000);
    }

    private static long expectedLogRows(int clients, int rounds) {
        long logged = 0;
        for (int r = 0; r < rounds; r++) {
            logged += type(r).isLogged() ? 1 : 0;
        }
        return logged * clients;
    }

    /** Event {@code round} of client {@code client}, as connmon's canonical dialect decodes it from {@link #json}. */
    private LifecycleEvent event(int round, int client) {
        LifecycleEvent.Builder b = LifecycleEvent.builder(type(round), clientIds[client], time(round, client))
                .dialect("connmon");
        switch (type(round)) {
            case CONNECTED ->
                b.connectionId("c" + round / 3)
                        .protocolVersion("5.0")
                        .ipAddress("192.0.2.10")
                        .node("broker-1");
            case DISCONNECTED ->
                b.connectionId("c" + round / 3).initiator(Initiator.CLIENT).reasonCode(0);
            default -> b.topic("sensors/t");
        }
        return b.build().fromSource("default");
    }

    private byte[] json(int round, int client) {
        String id = clientIds[client];
        Instant at = time(round, client);
        var json = switch (type(round)) {
            case CONNECTED -> Events.connected(id, at, "c" + round / 3);
            case DISCONNECTED -> Events.disconnected(id, at, "c" + round / 3, "client", 0);
            default -> Events.event("published", id, at).put("topic", "sensors/t");
        };
        return json.encode().getBytes(StandardCharsets.UTF_8);
    }

    // --------------------------------------------------------------------------------------------------- ceiling

    /** connmon's statement, pre-built batches, no MQTT: the best of 1, 2 and 4 connections. */
    private double ceiling() throws Exception {
        System.out.printf(
                "%nPostgreSQL ceiling: StateRepository.apply, batches of %d events (round-robin, so one "
                        + "state row per event)%n",
                CEILING_BATCH);
        List<IngestBatch> batches = new ArrayList<>();
        List<LifecycleEvent> current = new ArrayList<>(CEILING_BATCH);
        for (int round = 0; round < ROUNDS; round++) {
            for (int c = 0; c < CLIENTS; c++) {
                current.add(event(round, c));
                if (current.size() == CEILING_BATCH) {
                    batches.add(new IngestBatch(current, List.of()));
                    current = new ArrayList<>(CEILING_BATCH);
                }
            }
        }
        if (!current.isEmpty()) {
            batches.add(new IngestBatch(current, List.of()));
        }
        Vertx vertx = Vertx.vertx();
        double best = 0;
        try {
            // warm-up: JIT, prepared statements, PostgreSQL's caches; then a clean slate
            applyAll(vertx, batches.subList(0, Math.min(batches.size(), 50)), 1);
            for (int connections : CEILING_CONNECTIONS) {
                reset();
                double cpu0 = ProcStats.postgresCpuSeconds(work.resolve("postgres"));
                long start = System.nanoTime();
                applyAll(vertx, batches, connections);
                double seconds = (System.nanoTime() - start) / 1e9;
                double pgCores = (ProcStats.postgresCpuSeconds(work.resolve("postgres")) - cpu0) / seconds;
                verify(CLIENTS, ROUNDS);
                double rate = EVENTS / seconds;
                best = Math.max(best, rate);
                System.out.printf(
                        "  %d connection%s %10.0f events/s  (%.1f s; PostgreSQL %.2f cores; load %s)%n",
                        connections, connections == 1 ? " " : "s", rate, seconds, pgCores, ProcStats.load());
                results.put("ceiling, " + connections + " connection(s)", String.format("%.0f events/s", rate));
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        return best;
    }

    private void applyAll(Vertx vertx, List<IngestBatch> batches, int connections) {
        io.vertx.sqlclient.Pool core = BenchDatabase.applicationPool(vertx, pg, "postgres", connections);
        io.vertx.mutiny.sqlclient.Pool pool = io.vertx.mutiny.sqlclient.Pool.newInstance(core);
        try {
            StateRepository repository = StateRepositories.on(pool);
            Multi.createFrom()
                    .iterable(batches)
                    .onItem()
                    .transformToUni(repository::apply)
                    .merge(connections)
                    .collect()
                    .last()
                    .await()
                    .indefinitely();
        } finally {
            pool.closeAndAwait();
        }
    }

    // ----------------------------------------------------------------------------------------------------- naive

    private static final String NAIVE_LOG = """
            INSERT INTO connection_log (client_id, event_time, event, initiator, reason_code, connection_id,
                                        ip_address, protocol_version, node, dialect, dedup_key, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'connmon', ?, 'default')""";
    private static final String NAIVE_CONNECTED = """
            INSERT INTO client_state (client_id, connect_time, connect_connection_id, protocol_version, ip_address,
                                      node, activity_time, activity_event, activity_rank, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'mqttConnect', 1, 'default')
            ON CONFLICT (client_id) DO UPDATE SET connect_time = EXCLUDED.connect_time,
                connect_connection_id = EXCLUDED.connect_connection_id, protocol_version = EXCLUDED.protocol_version,
                ip_address = EXCLUDED.ip_address, node = EXCLUDED.node, connect_closed = false,
                activity_time = EXCLUDED.activity_time, activity_event = EXCLUDED.activity_event,
                activity_rank = EXCLUDED.activity_rank, updated_at = now()""";
    private static final String NAIVE_DISCONNECTED = """
            INSERT INTO client_state (client_id, disconnect_time, disconnect_connection_id, disconnect_initiator,
                                      disconnect_reason_code, connect_closed, activity_time, activity_event,
                                      activity_rank, source)
            VALUES (?, ?, ?, ?, ?, true, ?, 'mqttDisconnect', 5, 'default')
            ON CONFLICT (client_id) DO UPDATE SET disconnect_time = EXCLUDED.disconnect_time,
                disconnect_connection_id = EXCLUDED.disconnect_connection_id,
                disconnect_initiator = EXCLUDED.disconnect_initiator,
                disconnect_reason_code = EXCLUDED.disconnect_reason_code, connect_closed = true,
                activity_time = EXCLUDED.activity_time, activity_event = EXCLUDED.activity_event,
                activity_rank = EXCLUDED.activity_rank, updated_at = now()""";
    private static final String NAIVE_ACTIVITY = """
            INSERT INTO client_state (client_id, activity_time, activity_event, activity_rank, source)
            VALUES (?, ?, 'mqttPublish', 4, 'default')
            ON CONFLICT (client_id) DO UPDATE SET activity_time = EXCLUDED.activity_time,
                activity_event = EXCLUDED.activity_event, activity_rank = EXCLUDED.activity_rank, updated_at = now()""";

    /**
     * One transaction per event over JDBC, on a subset of the clients with all their events (so that most upserts
     * update, as in the other phases); with several connections, each owns a share of the clients.
     */
    private double naive() throws Exception {
        int clients = Math.max(1, Math.min(CLIENTS, NAIVE_EVENTS / ROUNDS));
        System.out.printf(
                "%nNaive: one transaction per event (INSERT log row + INSERT … ON CONFLICT state), JDBC, "
                        + "%,d events over %,d clients%n",
                clients * ROUNDS, clients);
        double best = 0;
        for (int connections : NAIVE_CONNECTIONS) {
            reset();
            double cpu0 = ProcStats.postgresCpuSeconds(work.resolve("postgres"));
            long start = System.nanoTime();
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int w = 0; w < connections; w++) {
                int worker = w;
                workers.add(CompletableFuture.runAsync(
                        () -> naiveWorker(worker, connections, clients),
                        runnable -> new Thread(runnable, "naive-" + worker).start()));
            }
            CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).join();
            double seconds = (System.nanoTime() - start) / 1e9;
            double pgCores = (ProcStats.postgresCpuSeconds(work.resolve("postgres")) - cpu0) / seconds;
            verify(clients, ROUNDS);
            double rate = clients * ROUNDS / seconds;
            best = Math.max(best, rate);
            System.out.printf(
                    "  %d connection%s %10.0f events/s  (%.1f s; PostgreSQL %.2f cores; load %s)%n",
                    connections, connections == 1 ? " " : "s", rate, seconds, pgCores, ProcStats.load());
            results.put("naive, " + connections + " connection(s)", String.format("%.0f events/s", rate));
        }
        return best;
    }

    private void naiveWorker(int worker, int workers, int clients) {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                PreparedStatement log = db.prepareStatement(NAIVE_LOG);
                PreparedStatement connected = db.prepareStatement(NAIVE_CONNECTED);
                PreparedStatement disconnected = db.prepareStatement(NAIVE_DISCONNECTED);
                PreparedStatement activity = db.prepareStatement(NAIVE_ACTIVITY)) {
            db.setAutoCommit(false);
            for (int round = 0; round < ROUNDS; round++) {
                for (int c = worker; c < clients; c += workers) {
                    LifecycleEvent e = event(round, c);
                    var at = e.time().atOffset(ZoneOffset.UTC);
                    if (e.type().isLogged()) {
                        log.setString(1, e.clientId());
                        log.setObject(2, at);
                        log.setString(3, e.type().wireName());
                        log.setString(
                                4, e.initiator() == null ? null : e.initiator().wireName());
                        if (e.reasonCode() == null) {
                            log.setNull(5, Types.INTEGER);
                        } else {
                            log.setInt(5, e.reasonCode());
                        }
                        log.setString(6, e.connectionId());
                        log.setString(7, e.ipAddress());
                        log.setString(8, e.protocolVersion());
                        log.setString(9, e.node());
                        log.setObject(10, UUID.randomUUID());
                        log.executeUpdate();
                    }
                    switch (e.type()) {
                        case CONNECTED -> {
                            connected.setString(1, e.clientId());
                            connected.setObject(2, at);
                            connected.setString(3, e.connectionId());
                            connected.setString(4, e.protocolVersion());
                            connected.setString(5, e.ipAddress());
                            connected.setString(6, e.node());
                            connected.setObject(7, at);
                            connected.executeUpdate();
                        }
                        case DISCONNECTED -> {
                            disconnected.setString(1, e.clientId());
                            disconnected.setObject(2, at);
                            disconnected.setString(3, e.connectionId());
                            disconnected.setString(4, e.initiator().wireName());
                            disconnected.setInt(5, e.reasonCode());
                            disconnected.setObject(6, at);
                            disconnected.executeUpdate();
                        }
                        default -> {
                            activity.setString(1, e.clientId());
                            activity.setObject(2, at);
                            activity.executeUpdate();
                        }
                    }
                    db.commit();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // --------------------------------------------------------------------------------------------------- connmon

    /** The packaged connmon, fed through {@code broker}; returns events/s from the first publish to the last commit. */
    private double connmon(String broker) throws Exception {
        reset();
        String run = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> properties = new LinkedHashMap<>(TestDatabases.remember(pg.datasourceConfig()));
        properties.put("connmon.embedded.data-dir", work.resolve("data-" + run).toString());
        properties.put("quarkus.security.users.embedded.users.bench", "bench-token");
        properties.put("quarkus.security.users.embedded.roles.bench", "reader");
        properties.put("quarkus.log.level", "WARN");
        String prefix;
        int brokerPort;
        int window = WINDOW;
        OwnMosquitto ownMosquitto = null;
        long brokerPid = -1;
        if (broker.equals("embedded")) {
            // outside connmon/, which the embedded broker reserves to connmon's own connection: any client may
            // publish here, as a broker plugin would
            prefix = "bench/events/";
            brokerPort = PackagedApp.freePort();
            properties.put("connmon.embedded.broker-port", Integer.toString(brokerPort));
        } else if (broker.equals("mosquitto")) {
            // a topic tree, session and monitoring topics of this run's own on a broker others use too
            prefix = "connmon-bench-" + run + "/events/";
            if (MOSQUITTO.equals("own")) {
                brokerPort = PackagedApp.freePort();
                ownMosquitto = OwnMosquitto.start(work, brokerPort);
                brokerPid = ownMosquitto.pid();
            } else {
                brokerPort = 1883;
                brokerPid = machineMosquittoPid();
                window = Math.min(window == 0 ? Integer.MAX_VALUE : window, STOCK_MOSQUITTO_WINDOW);
            }
            properties.put("connmon.mqtt.host", "127.0.0.1");
            properties.put("connmon.mqtt.port", Integer.toString(brokerPort));
            properties.put("connmon.mqtt.client-id", "connmon-bench-" + run);
            properties.put("connmon.monitor.topic", "connmon-bench-" + run + "/clients/{clientId}/state");
        } else {
            throw new IllegalArgumentException("bench.brokers: embedded or mosquitto, not " + broker);
        }
        properties.put("connmon.canonical.topic-prefix", prefix);
        properties.put("connmon.mqtt.topics", prefix + "#");
        properties.putAll(BenchOptions.appSettings());
        System.out.printf(
                "%nconnmon via %s (%s), QoS 1, %s%n",
                broker,
                broker.equals("mosquitto") ? MOSQUITTO + " Mosquitto on port " + brokerPort : "embedded HiveMQ CE",
                window == 0 ? "no publish window" : "at most " + window + " events published and not yet stored");
        double rate;
        try (PackagedApp app = PackagedApp.start(properties, BenchOptions.appJvmArgs());
                Connection db = TestDatabases.connect(jdbcUrl)) {
            Mqtt5AsyncClient publisher = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier("bench-publisher-" + run)
                    .serverHost("127.0.0.1")
                    .serverPort(brokerPort)
                    .buildAsync();
            publisher.connect().join();
            Thread.sleep(1000);
            rate = new Ingest(broker, app, db, brokerPid).measure(publisher, prefix, window);
            verify(CLIENTS, ROUNDS);
            if (LATENCY_SECONDS > 0) {
                latencyWhileIngesting(app, publisher, prefix);
            }
            publisher.disconnect().join();
        } finally {
            if (ownMosquitto != null) {
                ownMosquitto.close();
            }
        }
        if (broker.equals("mosquitto") && !MOSQUITTO.equals("own")) {
            cleanUpMachineMosquitto(run);
        }
        return rate;
    }

    /** Publishes every event, round by round, and follows connmon's progress in PostgreSQL. */
    private final class Ingest {
        private final String broker;
        private final PackagedApp app;
        private final Connection db;
        private final long brokerPid;
        private volatile WindowedPublisher events;
        private volatile ProgressFollower stored;
        private volatile boolean done;

        Ingest(String broker, PackagedApp app, Connection db, long brokerPid) {
            this.broker = broker;
            this.app = app;
            this.db = db;
            this.brokerPid = brokerPid;
        }

        double measure(Mqtt5AsyncClient publisher, String prefix, int window) throws Exception {
            // state changes are one per event here (each event is news to its client, and a batch never holds
            // two events of one client while clients outnumber the batch): their sequence is a cheap progress count
            long base = changeSequence();
            stored = new ProgressFollower("state-changes", () -> changeSequence() - base, 5);
            HttpClient http = HttpClient.newHttpClient();
            List<long[]> samples = new ArrayList<>();
            Map<String, java.util.function.DoubleSupplier> sources = new LinkedHashMap<>();
            sources.put("connmon", CpuMeter.process(app.pid()));
            sources.put("PostgreSQL", CpuMeter.postgres(work.resolve("postgres")));
            if (brokerPid > 0) {
                sources.put("Mosquitto", CpuMeter.process(brokerPid));
            }
            sources.put("self", CpuMeter::selfSeconds);
            CpuMeter cpu = CpuMeter.start(sources);
            long start = System.nanoTime();
            events = new WindowedPublisher(publisher, window, stored::value);
            Thread sampler = new Thread(() -> sample(http, start, samples), "sampler");
            sampler.setDaemon(true);
            sampler.start();
            for (int round = 0; round < ROUNDS; round++) {
                for (int c = 0; c < CLIENTS; c++) {
                    events.publish(prefix + clientIds[c], json(round, c));
                }
            }
            double publishSeconds = (System.nanoTime() - start) / 1e9;
            // the last event is the last one connmon stores: one source, batches written in order
            awaitStored(clientIds[CLIENTS - 1], time(ROUNDS - 1, CLIENTS - 1));
            double seconds = (System.nanoTime() - start) / 1e9;
            done = true;
            stored.close();
            CpuMeter.Reading used = cpu.stop();
            sampler.join(2000);
            synchronized (samples) {
                samples.add(snapshot(http, start, EVENTS));
            }
            double rate = EVENTS / seconds;
            System.out.printf(
                    "  %,d events published in %.1f s (%d publish failures), all stored after %.1f s: "
                            + "%.0f events/s%n",
                    EVENTS, publishSeconds, events.failures(), seconds, rate);
            System.out.printf(
                    "  CPU, in cores of %d: connmon %.2f, PostgreSQL %.2f, %s publisher + harness %.2f; "
                            + "machine busy %.0f %% (load %s)%n",
                    Runtime.getRuntime().availableProcessors(),
                    used.cores("connmon"),
                    used.cores("PostgreSQL"),
                    brokerPid > 0 ? String.format("Mosquitto %.2f,", used.cores("Mosquitto")) : "",
                    used.cores("self"),
                    100 * used.machineBusy(),
                    ProcStats.load());
            printSamples(samples);
            printBatchSizes(http);
            results.put(
                    "connmon via " + broker,
                    String.format(
                            "%.0f events/s, connmon %.2f cores, RSS max %d MB",
                            rate,
                            used.cores("connmon"),
                            samples.stream().mapToLong(s -> s[3]).max().orElse(-1)));
            return rate;
        }

        private long changeSequence() throws SQLException {
            synchronized (db) {
                try (Statement sql = db.createStatement();
                        ResultSet rs = sql.executeQuery("SELECT last_value FROM state_change_id_seq")) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        private void awaitStored(String clientId, Instant time) throws Exception {
            while (true) {
                synchronized (db) {
                    try (PreparedStatement sql = db.prepareStatement(
                            "SELECT 1 FROM client_state WHERE client_id = ? AND activity_time >= ?")) {
                        sql.setString(1, clientId);
                        sql.setObject(2, time.atOffset(ZoneOffset.UTC));
                        try (ResultSet rs = sql.executeQuery()) {
                            if (rs.next()) {
                                return;
                            }
                        }
                    }
                }
                Thread.sleep(5);
            }
        }

        /** Once a second: {seconds, stored, heap MB, RSS MB, old generation MB}. */
        private void sample(HttpClient http, long start, List<long[]> samples) {
            while (!done) {
                long[] s = snapshot(http, start, stored.value());
                if (Boolean.getBoolean("bench.verbose")) {
                    System.out.printf(
                            "    %3d s: published %,d, stored %,d, heap %d MB, RSS %d MB%n",
                            s[0], events.published(), s[1], s[2], s[3]);
                }
                synchronized (samples) {
                    samples.add(s);
                }
                LockSupport.parkNanos(1_000_000_000L);
            }
        }

        private long[] snapshot(HttpClient http, long start, long storedNow) {
            double heap = 0;
            double old = 0;
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(URI.create(app.baseUrl() + "/q/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                String metrics = response.statusCode() == 200 ? response.body() : "";
                heap = response.statusCode() == 200 ? 0 : -1;
                for (String line : metrics.split("\n")) {
                    if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                        heap += value;
                        if (line.contains("Old Gen")) {
                            old += value;
                        }
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                heap = -1;
            }
            return new long[] {
                (System.nanoTime() - start) / 1_000_000_000L,
                Math.min(storedNow, EVENTS),
                (long) (heap / 1048576),
                ProcStats.rssMb(app.pid()),
                (long) (old / 1048576)
            };
        }

        /** How full connmon's batches were: a broker that lets few messages wait for their PUBACK caps them. */
        private void printBatchSizes(HttpClient http) {
            try {
                String metrics = http.send(
                                HttpRequest.newBuilder(URI.create(app.baseUrl() + "/q/metrics"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                Map<String, Double> values = new LinkedHashMap<>();
                for (String line : metrics.split("\n")) {
                    if (line.startsWith("connmon_ingest_batch_size_")
                            || line.startsWith("connmon_ingest_write_seconds_")) {
                        values.put(
                                line.substring(0, line.indexOf(' ')).replace("connmon_ingest_", ""),
                                Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                    }
                }
                double batches = values.get("batch_size_count");
                // write time against the time between batches: what is left is connmon's own share of each batch
                System.out.printf(
                        "  batches: %.0f, mean %.1f messages, largest %.0f; a batch's write (first attempt to "
                                + "commit) %.1f ms on average%n",
                        batches,
                        values.get("batch_size_sum") / batches,
                        values.get("batch_size_max"),
                        1000 * values.get("write_seconds_sum") / values.get("write_seconds_count"));
            } catch (IOException | InterruptedException | RuntimeException e) {
                System.out.println("  batch sizes unknown: " + e);
            }
        }

        private void printSamples(List<long[]> samples) {
            System.out.printf("  %8s %7s %9s %11s %8s%n", "stored", "at s", "heap MB", "old gen MB", "RSS MB");
            for (int quarter = 1; quarter <= 4; quarter++) {
                long target = (long) EVENTS * quarter / 4;
                long[] first = samples.stream()
                        .filter(s -> s[1] >= target)
                        .findFirst()
                        .orElse(samples.get(samples.size() - 1));
                System.out.printf("  %7d%% %7d %9d %11d %8d%n", 25 * quarter, first[0], first[2], first[4], first[3]);
            }
            System.out.printf(
                    "  heap over the run: min %d, max %d MB; RSS max %d MB (%d samples)%n",
                    samples.stream()
                            .mapToLong(s -> s[2])
                            .filter(h -> h >= 0)
                            .min()
                            .orElse(-1),
                    samples.stream().mapToLong(s -> s[2]).max().orElse(-1),
                    samples.stream().mapToLong(s -> s[3]).max().orElse(-1),
                    samples.size());
        }
    }

    /**
     * With every client stored, GET by id of random clients one request at a time while {@code LATENCY_RATE} events a
     * second keep arriving (the round after the last one, so each is news).
     */
    private void latencyWhileIngesting(PackagedApp app, Mqtt5AsyncClient publisher, String prefix) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Random random = new Random(7);
        long periodNanos = 1_000_000_000L / LATENCY_RATE;
        Thread feeder = new Thread(
                () -> {
                    long next = System.nanoTime();
                    for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                        int round = ROUNDS + i / CLIENTS;
                        int c = i % CLIENTS;
                        publisher
                                .publishWith()
                                .topic(prefix + clientIds[c])
                                .qos(MqttQos.AT_LEAST_ONCE)
                                .payload(json(round, c))
                                .send();
                        next += periodNanos;
                        LockSupport.parkNanos(next - System.nanoTime());
                    }
                },
                "feeder");
        feeder.start();
        for (int i = 0; i < 500; i++) {
            get(http, app, clientIds[random.nextInt(CLIENTS)]);
        }
        List<Double> millis = new ArrayList<>();
        long end = System.nanoTime() + LATENCY_SECONDS * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            get(http, app, clientIds[random.nextInt(CLIENTS)]);
            millis.add((System.nanoTime() - start) / 1e6);
        }
        double[] sorted =
                millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        String line = String.format(
                "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d requests)",
                sorted[sorted.length / 2],
                sorted[(int) Math.ceil(sorted.length * 0.99) - 1],
                sorted[sorted.length - 1],
                sorted.length);
        System.out.printf(
                "  GET by id while ingesting %d events/s, one request at a time, JDK client, %d s: %s " + "(load %s)%n",
                LATENCY_RATE, LATENCY_SECONDS, line, ProcStats.load());
        results.put("GET by id at " + LATENCY_RATE + " events/s, JDK client", line);
        // the same through wrk, which keeps a JVM client's own pauses out of the tail
        Path script = Wrk.script("""
                math.randomseed(7)
                request = function()
                  return wrk.format(nil, string.format("/api/v0002/clientconnectionstates/dev-%%07d",
                                                       math.random(0, %d)))
                end
                """.formatted(CLIENTS - 1));
        Optional<Wrk> wrk = Wrk.run(LATENCY_SECONDS, AUTH, List.of("-s", script.toString(), app.baseUrl() + "/"));
        if (wrk.isPresent()) {
            String wrkLine = String.format(
                    "p50 %s ms, p99 %s ms, %s requests/s, non-2xx %s",
                    wrk.get().p50(),
                    wrk.get().p99(),
                    wrk.get().requestsPerSecond(),
                    wrk.get().non2xx());
            System.out.printf(
                    "  GET by id while ingesting %d events/s, one request at a time, wrk, %d s: %s " + "(load %s)%n",
                    LATENCY_RATE, LATENCY_SECONDS, wrkLine, ProcStats.load());
            results.put("GET by id at " + LATENCY_RATE + " events/s, wrk", wrkLine);
        }
        feeder.interrupt();
        feeder.join();
        Thread.sleep(2000);
    }

    private static void get(HttpClient http, PackagedApp app, String clientId) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/v0002/clientconnectionstates/" + clientId))
                        .header("Authorization", AUTH)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + clientId + ": " + response.statusCode());
        }
    }

    // ----------------------------------------------------------------------------------------------------- tools

    /** Empty tables for the next phase; a checkpoint so that the last phase's dirty pages are not this one's cost. */
    private void reset() throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement sql = db.createStatement()) {
            sql.execute("TRUNCATE connection_log, client_state, state_change, rejected_message");
            sql.execute("CHECKPOINT");
        }
    }

    /** Every event stored once: the exact number of log rows, one state per client, nothing rejected. */
    private void verify(int clients, int rounds) throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement sql = db.createStatement();
                ResultSet rs = sql.executeQuery("""
                     SELECT (SELECT count(*) FROM connection_log WHERE client_id LIKE 'dev-%'),
                            (SELECT count(*) FROM client_state WHERE client_id LIKE 'dev-%'),
                            (SELECT count(*) FROM client_state WHERE client_id LIKE 'dev-%'
                                AND connect_connection_id = '""" + "c" + (rounds - 1) / 3 + """
                     ' AND activity_time IS NOT NULL),
                            (SELECT count(*) FROM rejected_message)""")) {
            rs.next();
            long logRows = rs.getLong(1);
            long states = rs.getLong(2);
            long current = rs.getLong(3);
            long rejected = rs.getLong(4);
            long expected = expectedLogRows(clients, rounds);
            String check = String.format(
                    "log rows %,d of %,d, client states %,d of %,d (%,d on their last " + "connection), rejected %d",
                    logRows, expected, states, clients, current, rejected);
            if (logRows != expected || states != clients || current != clients || rejected != 0) {
                throw new IllegalStateException("events lost or doubled: " + check);
            }
            System.out.println("    verified: " + check);
        }
    }

    private static long machineMosquittoPid() {
        try {
            return Long.parseLong(
                    Files.readString(Path.of("/run/mosquitto/mosquitto.pid")).trim());
        } catch (IOException | NumberFormatException e) {
            return ProcessHandle.allProcesses()
                    .filter(p -> p.info()
                            .command()
                            .map(c -> c.endsWith("/mosquitto"))
                            .orElse(false))
                    .mapToLong(ProcessHandle::pid)
                    .findFirst()
                    .orElse(-1);
        }
    }

    /** Leaves the shared Mosquitto as it was: connmon's persistent session and the retained monitoring states go. */
    private void cleanUpMachineMosquitto(String run) {
        var cleaner = MqttClient.builder()
                .useMqttVersion3()
                .identifier("connmon-bench-" + run)
                .serverHost("127.0.0.1")
                .serverPort(1883)
                .buildAsync();
        cleaner.connectWith().cleanSession(true).send().join();
        List<CompletableFuture<?>> cleared = new ArrayList<>();
        for (String id : clientIds) {
            cleared.add(cleaner.publishWith()
                    .topic("connmon-bench-" + run + "/clients/" + id + "/state")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .retain(true)
                    .payload(new byte[0])
                    .send());
            if (cleared.size() == 1000) {
                CompletableFuture.allOf(cleared.toArray(CompletableFuture[]::new))
                        .join();
                cleared.clear();
            }
        }
        CompletableFuture.allOf(cleared.toArray(CompletableFuture[]::new)).join();
        cleaner.disconnect().join();
        System.out.println("  shared Mosquitto cleaned up: connmon's session and the run's retained states removed");
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt)
                .toArray();
    }
}
