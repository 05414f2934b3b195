package dev.connmon.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * A storm of real devices (the embedded path): {@code bench.devices} MQTT 3.1.1 clients connect to a broker
 * as fast as it accepts them, then {@code bench.rounds} times disconnect all and connect again (a broker restart: the
 * whole fleet returns; later rounds run on a warm JVM), and
 * connmon reports each phase from the broker's own lifecycle events, never from a publisher of canonical events:
 * <ul>
 * <li>{@code embedded}: connmon's embedded broker, whose lifecycle events reach the pipeline in-process
 *     ({@code InProcessLifecycle}); the broker's work is inside connmon's process;
 * <li>{@code mosquitto}: a Mosquitto of the run's own with {@code log_dest topic}; connmon reads its log lines on
 *     {@code $SYS/broker/log/#} (the {@code mosquitto} dialect).
 * </ul>
 * Each phase prints the broker's rate (CONNACKs, or DISCONNECTs sent, as the devices saw them) beside connmon's
 * (from the first packet of the phase until a query sees every device's state), the CPU of each process, and the
 * ratio: 1 means connmon stored the storm as fast as the broker took it. The end checks every state and log row.
 *
 * <pre>
 * ./mvnw -q -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.bench.DeviceStormBenchmark
 * # -Dbench.devices=12000 -Dbench.rounds=3 -Dbench.brokers=embedded,mosquitto -Dbench.window=200 (CONNECTs awaiting their CONNACK)
 * # -Dbench.repeat=1 -Dbench.app.&lt;key&gt;=… -Dbench.app.jvm-args="…" -Dbench.pg.&lt;setting&gt;=…
 * </pre>
 *
 * Each process may hold 20 000 open files on this machine, and a device is one socket in the harness and one in the
 * broker: hence 12 000 devices by default.
 */
public final class DeviceStormBenchmark {
    private static final int DEVICES = Integer.getInteger("bench.devices", 12_000);
    private static final int WINDOW = Integer.getInteger("bench.window", 200);
    private static final int REPEAT = Integer.getInteger("bench.repeat", 1);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final List<String> BROKERS =
            List.of(System.getProperty("bench.brokers", "embedded,mosquitto").split(","));
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** What connmon's Mosquitto source needs of Mosquitto 2 (README, dialects). */
    private static final String MOSQUITTO_LOG = """
            log_dest topic
            log_type error
            log_type warning
            log_type notice
            log_type information
            connection_messages true
            """;

    private final Path work;
    private final List<String> summary = new ArrayList<>();

    private DeviceStormBenchmark(Path work) {
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench-devices"));
        try {
            new DeviceStormBenchmark(work).run();
        } catch (Throwable t) {
            // exec:java would wait for the MQTT threads before reporting it
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf(
                "Device storm benchmark at %s: %,d devices, brokers %s, window %d, %d repetition(s); "
                        + "load %s, %d cores%n",
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                DEVICES,
                BROKERS,
                WINDOW,
                REPEAT,
                ProcStats.load(),
                Runtime.getRuntime().availableProcessors());
        for (int repetition = 1; repetition <= REPEAT; repetition++) {
            for (String broker : BROKERS) {
                viaBroker(broker.trim());
            }
        }
        System.out.printf(
                "%nSummary (events/s; ratio = connmon / broker)%n%-9s %-10s %9s %9s %6s  %s%n",
                "broker", "phase", "broker/s", "connmon/s", "ratio", "CPU, cores");
        summary.forEach(System.out::println);
    }

    private void viaBroker(String broker) throws Exception {
        System.out.printf("%n--- %,d devices via %s ---%n", DEVICES, broker);
        Path pgDir = work.resolve("postgres");
        try (EmbeddedDatabase pg = BenchDatabase.start(pgDir)) {
            String jdbcUrl = BenchDatabase.jdbcUrl(pg);
            Map<String, String> properties = new LinkedHashMap<>(TestDatabases.remember(pg.datasourceConfig()));
            properties.put("quarkus.log.level", "WARN");
            int port = PackagedApp.freePort();
            if (broker.equals("mosquitto")) {
                properties.put("connmon.mqtt.host", "127.0.0.1");
                properties.put("connmon.mqtt.port", Integer.toString(port));
                properties.put("connmon.mqtt.client-id", "connmon-devices-bench");
                properties.put("connmon.mqtt.topics", "$SYS/broker/log/#");
                properties.putAll(BenchOptions.appSettings());
                try (OwnMosquitto mosquitto = OwnMosquitto.start(work, port, MOSQUITTO_LOG);
                        PackagedApp app = PackagedApp.start(properties, BenchOptions.appJvmArgs())) {
                    phases(broker, port, app, mosquitto.pid(), jdbcUrl, pgDir);
                }
            } else if (broker.equals("embedded")) {
                Path data = work.resolve("data-" + port);
                properties.put("connmon.embedded.broker-port", Integer.toString(port));
                properties.put("connmon.embedded.data-dir", data.toString());
                properties.putAll(BenchOptions.appSettings());
                try (PackagedApp app = PackagedApp.start(properties, BenchOptions.appJvmArgs())) {
                    phases(broker, port, app, -1, jdbcUrl, pgDir);
                }
            } else {
                throw new IllegalArgumentException("bench.brokers: embedded and/or mosquitto, not " + broker);
            }
        }
    }

    private void phases(String broker, int port, PackagedApp app, long brokerPid, String jdbcUrl, Path pgDir)
            throws Exception {
        long appPid = app.pid();
        List<Mqtt3AsyncClient> devices = new ArrayList<>(DEVICES);
        for (int i = 0; i < DEVICES; i++) {
            devices.add(MqttClient.builder()
                    .useMqttVersion3()
                    .identifier(String.format("dev-%06d", i))
                    .serverHost("127.0.0.1")
                    .serverPort(port)
                    .buildAsync());
        }
        Function<Mqtt3AsyncClient, CompletableFuture<?>> connect =
                d -> d.connectWith().cleanSession(true).keepAlive(600).send();
        Function<Mqtt3AsyncClient, CompletableFuture<?>> disconnect = Mqtt3AsyncClient::disconnect;
        String connected = COUNT_STATUS.formatted("connected");
        String disconnected = COUNT_STATUS.formatted("disconnected");
        Phases phases = (name, send, countSql) -> {
            try (Connection db = db(jdbcUrl)) {
                phase(broker, name, devices, send, db, countSql, appPid, brokerPid, pgDir);
            }
        };
        phases.run("connect", connect, connected);
        for (int round = 1; round <= ROUNDS; round++) {
            Thread.sleep(2000);
            phases.run("disconnect " + round, disconnect, disconnected);
            Thread.sleep(2000);
            phases.run("reconnect " + round, connect, connected);
        }
        try (Connection db = db(jdbcUrl)) {
            System.out.println("  " + verify(db));
        }
        // the embedded broker's events: taken in-process, or left to its queue for connmon's session
        app.metricLines("connmon_ingest_in_process_total").forEach(line -> System.out.println("  " + line));
        phases.run("(close)", disconnect, disconnected);
    }

    private static final String COUNT_STATUS =
            "SELECT count(*) FROM client_state WHERE client_id LIKE 'dev-%%' AND connection_status = '%s'";

    interface Phases {
        void run(String name, Function<Mqtt3AsyncClient, CompletableFuture<?>> send, String countSql) throws Exception;
    }

    private static Connection db(String jdbcUrl) throws SQLException {
        return TestDatabases.connect(jdbcUrl);
    }

    /** Sends one packet per device, at most {@link #WINDOW} unanswered, until connmon's query counts them all. */
    private void phase(
            String broker,
            String name,
            List<Mqtt3AsyncClient> devices,
            Function<Mqtt3AsyncClient, CompletableFuture<?>> send,
            Connection db,
            String countSql,
            long appPid,
            long brokerPid,
            Path pgDir)
            throws Exception {
        Map<String, DoubleSupplier> sources = new LinkedHashMap<>();
        sources.put("connmon", CpuMeter.process(appPid));
        sources.put("PostgreSQL", CpuMeter.postgres(pgDir));
        if (brokerPid > 0) {
            sources.put("Mosquitto", CpuMeter.process(brokerPid));
        }
        sources.put("harness", CpuMeter::selfSeconds);
        CpuMeter cpu = CpuMeter.start(sources);
        Semaphore window = new Semaphore(WINDOW);
        AtomicInteger failures = new AtomicInteger();
        List<CompletableFuture<?>> sent = new ArrayList<>(devices.size());
        long start = System.nanoTime();
        for (Mqtt3AsyncClient device : devices) {
            window.acquire();
            sent.add(send.apply(device).whenComplete((ok, failure) -> {
                if (failure != null) {
                    failures.incrementAndGet();
                }
                window.release();
            }));
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                .exceptionally(ignored -> null)
                .get(5, TimeUnit.MINUTES);
        double brokerSeconds = (System.nanoTime() - start) / 1e9;
        long last = -1;
        long lastMove = System.nanoTime();
        long stored;
        while ((stored = count(db, countSql)) < devices.size()) {
            if (stored != last) {
                last = stored;
                lastMove = System.nanoTime();
            } else if (System.nanoTime() - lastMove > STALL_NANOS) {
                throw new IllegalStateException(name + ": connmon stuck at " + stored + " of " + devices.size());
            }
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuMeter.Reading used = cpu.stop();
        StringBuilder cores = new StringBuilder();
        used.cores().forEach((source, value) -> cores.append(String.format("%s %.2f, ", source, value)));
        cores.setLength(cores.length() - 2);
        System.out.printf(
                "  %s: %,d devices, broker took them in %.2f s (%.0f/s, %d failed), connmon stored them after %.2f s "
                        + "(%.0f/s); CPU %s; machine busy %.0f %%%n",
                name,
                devices.size(),
                brokerSeconds,
                devices.size() / brokerSeconds,
                failures.get(),
                seconds,
                devices.size() / seconds,
                cores,
                100 * used.machineBusy());
        if (!name.startsWith("(")) {
            summary.add(String.format(
                    "%-9s %-10s %9.0f %9.0f %6.2f  %s",
                    broker,
                    name,
                    devices.size() / brokerSeconds,
                    devices.size() / seconds,
                    brokerSeconds / seconds,
                    cores));
        }
    }

    /** Every device: one state, connected; each of its connects and disconnects logged once; nothing rejected. */
    private static String verify(Connection db) throws SQLException {
        long states = count(db, "SELECT count(*) FROM client_state WHERE client_id LIKE 'dev-%'");
        long connects =
                count(db, "SELECT count(*) FROM connection_log WHERE client_id LIKE 'dev-%' AND event = 'connected'");
        long disconnects = count(
                db, "SELECT count(*) FROM connection_log WHERE client_id LIKE 'dev-%' AND event = 'disconnected'");
        long rejected = count(db, "SELECT count(*) FROM rejected_message");
        long expectedConnects = (ROUNDS + 1L) * DEVICES;
        long expectedDisconnects = (long) ROUNDS * DEVICES;
        String check = String.format(
                "%,d states, %,d connects and %,d disconnects logged (of %,d and %,d), %d rejected",
                states, connects, disconnects, expectedConnects, expectedDisconnects, rejected);
        if (states != DEVICES || connects != expectedConnects || disconnects != expectedDisconnects || rejected != 0) {
            throw new IllegalStateException("effects lost, doubled or rejected: " + check);
        }
        return "verified: " + check;
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
