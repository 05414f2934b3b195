package dev.connmon.bench;

import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.StateRepositories;
import dev.connmon.state.StateRepository;
import dev.connmon.support.Events;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import dev.connmon.support.TestKafka;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.DoubleSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;

/**
 * A reconnect storm (every record a new client's connect) and an activity storm (connected clients publishing)
 * through Kafka, each beside the same run's two ceilings of the same work: Kafka's own consumer reading the same
 * records, and connmon's statement ({@code StateRepository.apply}) applying the same events in batches of 500 on
 * connmon's schema, without Kafka. connmon is the packaged application with Kafka as its only source, warmed up; the
 * storm lands in Kafka at once (one producer transaction, read_committed), the backlog Kafka absorbed, and the
 * measurement runs from then until the last event is committed. CPU per event for connmon, PostgreSQL and Kafka comes from
 * {@code /proc/<pid>/stat}.
 * <p>
 * {@code ./mvnw -q package -DskipTests && ./mvnw -q -Pbench test-compile exec:java
 * -Dbench.main=dev.connmon.bench.KafkaStormBenchmark}; options {@code -Dbench.workload=reconnect|activity|both},
 * {@code -Dbench.events=100000}, {@code -Dbench.clients=5000} (the activity storm's clients),
 * {@code -Dbench.partitions=4}, and the common {@code -Dbench.app.*} and {@code -Dbench.pg.*} (BenchOptions).
 */
public final class KafkaStormBenchmark {
    private static final String WORKLOAD = System.getProperty("bench.workload", "both");
    private static final int EVENTS = Integer.getInteger("bench.events", 100_000);
    private static final int ACTIVITY_CLIENTS = Integer.getInteger("bench.clients", 5_000);
    private static final int PARTITIONS = Integer.getInteger("bench.partitions", 4);
    private static final int BATCH = 500;
    private static final int WARMUP = Integer.getInteger("bench.warmup", 10_000);
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    private final Path work;
    private final List<String> summary = new ArrayList<>();
    private EmbeddedDatabase pg;
    private String jdbcUrl;
    private TestKafka kafka;

    private KafkaStormBenchmark(Path work) {
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createDirectories(Path.of("target", "bench-kafka"));
        try {
            new KafkaStormBenchmark(work).run();
        } catch (Throwable t) {
            // exec:java would wait for the Kafka and Vert.x threads before reporting it
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** One workload: its events as connmon stores them and as records, and how to tell they are all stored. */
    private record Workload(String name, String prefix, int events, boolean activity) {
        String clientId(int k) {
            return prefix + String.format("%07d", activity ? k % ACTIVITY_CLIENTS : k);
        }

        /** Strictly later per client. */
        Instant time(int k) {
            return T0.plusMillis(k);
        }

        LifecycleEvent event(int k) {
            if (activity) {
                return LifecycleEvent.builder(EventType.PUBLISHED, clientId(k), time(k))
                        .topic("sensors/t")
                        .dialect("connmon")
                        .build()
                        .fromSource("kafka");
            }
            return LifecycleEvent.builder(EventType.CONNECTED, clientId(k), time(k))
                    .connectionId("c1")
                    .protocolVersion("5.0")
                    .ipAddress("192.0.2.10")
                    .node("broker-1")
                    .dialect("connmon")
                    .build()
                    .fromSource("kafka");
        }

        JsonObject json(int k) {
            return activity
                    ? Events.event("published", clientId(k), time(k)).put("topic", "sensors/t")
                    : Events.connected(clientId(k), time(k), "c1");
        }

        /** Rows that show the whole workload stored: log rows (reconnect) or clients at their last act (activity). */
        String storedSql() {
            if (activity) {
                Instant last = time(events - 1).minusMillis(ACTIVITY_CLIENTS - 1);
                return "SELECT count(*) FROM client_state WHERE client_id LIKE '" + prefix + "%' AND activity_time >= '"
                        + last + "'";
            }
            return "SELECT count(*) FROM connection_log WHERE client_id LIKE '" + prefix + "%'";
        }

        long expectedStored() {
            return activity ? Math.min(ACTIVITY_CLIENTS, events) : events;
        }
    }

    private void run() throws Exception {
        System.out.printf(
                "Kafka storm benchmark: %,d events per workload, %d partitions, load %s, %d cores%n",
                EVENTS, PARTITIONS, ProcStats.load(), Runtime.getRuntime().availableProcessors());
        try (EmbeddedDatabase database = BenchDatabase.start(work.resolve("postgres"));
                TestKafka broker = TestKafka.start()) {
            pg = database;
            kafka = broker;
            jdbcUrl = BenchDatabase.jdbcUrl(database);
            Flyway.configure()
                    .dataSource(jdbcUrl, TestDatabases.USER, TestDatabases.password(jdbcUrl))
                    .load()
                    .migrate();
            System.out.println("PostgreSQL: " + BenchDatabase.serverSettings(jdbcUrl));
            String run = UUID.randomUUID().toString().substring(0, 6);
            if (!WORKLOAD.equals("activity")) {
                measure(new Workload("reconnect", "kr-" + run + "-", EVENTS, false));
            }
            if (!WORKLOAD.equals("reconnect")) {
                measure(new Workload("activity", "ka-" + run + "-", EVENTS, true));
            }
        }
        System.out.printf("%nSummary (load at the end %s)%n", ProcStats.load());
        summary.forEach(line -> System.out.println("  " + line));
    }

    private void measure(Workload w) throws Exception {
        System.out.printf("%n== %s storm: %,d events%n", w.name(), w.events());
        double sql = sqlCeiling(w);
        String topic = "storm-" + w.name() + "-" + w.prefix().substring(3, 9);
        kafka.createTopic(topic, PARTITIONS, false);
        double connmon = connmon(w, topic);
        double consumer = kafkaCeiling(w, topic);
        summary.add(String.format(
                "%-9s connmon %,8.0f events/s = %3.0f %% of the SQL ceiling (%,.0f), %3.0f %% of Kafka's consumer (%,.0f)",
                w.name(), connmon, 100 * connmon / sql, sql, 100 * connmon / consumer, consumer));
    }

    /** connmon's statement on pre-built events, one connection, batches of 500: what PostgreSQL can take. */
    private double sqlCeiling(Workload w) throws Exception {
        List<IngestBatch> batches = new ArrayList<>();
        List<LifecycleEvent> current = new ArrayList<>(BATCH);
        for (int k = 0; k < w.events(); k++) {
            current.add(w.event(k));
            if (current.size() == BATCH) {
                batches.add(new IngestBatch(current, List.of()));
                current = new ArrayList<>(BATCH);
            }
        }
        if (!current.isEmpty()) {
            batches.add(new IngestBatch(current, List.of()));
        }
        Vertx vertx = Vertx.vertx();
        try {
            CpuMeter meter = CpuMeter.start(Map.of("PostgreSQL", CpuMeter.postgres(work.resolve("postgres"))));
            applyAll(vertx, batches);
            CpuMeter.Reading reading = meter.stop();
            long stored = count(w.storedSql());
            if (stored != w.expectedStored()) {
                throw new IllegalStateException("SQL ceiling stored " + stored + " of " + w.expectedStored());
            }
            double rate = w.events() / reading.seconds();
            System.out.printf(
                    "  SQL ceiling      %,9.0f events/s (%.1f s); PostgreSQL %.1f µs CPU/event%n",
                    rate, reading.seconds(), perEvent(reading, "PostgreSQL", w));
            reset();
            return rate;
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    private void applyAll(Vertx vertx, List<IngestBatch> batches) {
        io.vertx.sqlclient.Pool core = BenchDatabase.applicationPool(vertx, pg, "postgres", 1);
        io.vertx.mutiny.sqlclient.Pool pool = io.vertx.mutiny.sqlclient.Pool.newInstance(core);
        try {
            StateRepository repository = StateRepositories.on(pool);
            Multi.createFrom()
                    .iterable(batches)
                    .onItem()
                    .transformToUni(repository::apply)
                    .concatenate()
                    .collect()
                    .last()
                    .await()
                    .indefinitely();
        } finally {
            pool.closeAndAwait();
        }
    }

    /** The packaged connmon, Kafka its only source, the records produced while it runs. */
    private double connmon(Workload w, String topic) throws Exception {
        Map<String, String> config = new LinkedHashMap<>(TestDatabases.remember(pg.datasourceConfig()));
        config.put("connmon.kafka.bootstrap-servers", kafka.bootstrapServers());
        config.put("connmon.kafka.topics", topic);
        config.put("connmon.kafka.group-id", "connmon-" + topic);
        config.put("connmon.embedded.data-dir", work.resolve("data-" + w.name()).toString());
        config.put("kafka.isolation.level", "read_committed");
        config.putAll(BenchOptions.appSettings());
        config.put("quarkus.log.level", "WARN");
        List<Map.Entry<String, String>> records = new ArrayList<>(w.events());
        for (int k = 0; k < w.events(); k++) {
            records.add(Map.entry(w.clientId(k), w.json(k).encode()));
        }
        try (PackagedApp app = PackagedApp.start(config, BenchOptions.appJvmArgs())) {
            warmUp(app, w, topic);
            double batches0 = app.metric("connmon_ingest_batch_size_count");
            double stored0 = app.metric("connmon_ingest_batch_size_sum");
            Map<String, DoubleSupplier> sources = new LinkedHashMap<>();
            sources.put("connmon", CpuMeter.process(app.pid()));
            sources.put("PostgreSQL", CpuMeter.postgres(work.resolve("postgres")));
            sources.put("Kafka", CpuMeter.process(kafka.pid()));
            sources.put("harness", CpuMeter::selfSeconds);
            // the storm lands in Kafka as one transaction: connmon (read_committed) sees the whole backlog at once
            produceAtOnce(topic, records);
            CpuMeter meter = CpuMeter.start(sources);
            // connmon's own count of committed events: a count(*) on the growing tables every few ms would be
            // PostgreSQL CPU of the harness's, not connmon's
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (app.metric("connmon_ingest_batch_size_sum") - stored0 < w.events()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("connmon did not store the storm within 10 minutes");
                }
                Thread.sleep(20);
            }
            CpuMeter.Reading reading = meter.stop();
            double rate = w.events() / reading.seconds();
            double batches = app.metric("connmon_ingest_batch_size_count") - batches0;
            System.out.printf(
                    "  connmon          %,9.0f events/s (%.1f s, %,.0f batches: %.0f events each); CPU µs/event: "
                            + "connmon %.1f, PostgreSQL %.1f, Kafka %.1f, harness %.1f; machine busy %.0f %%%n",
                    rate,
                    reading.seconds(),
                    batches,
                    w.events() / batches,
                    perEvent(reading, "connmon", w),
                    perEvent(reading, "PostgreSQL", w),
                    perEvent(reading, "Kafka", w),
                    perEvent(reading, "harness", w),
                    100 * reading.machineBusy());
            long stored = count(w.storedSql());
            if (stored != w.expectedStored() || count("SELECT count(*) FROM rejected_message") != 0) {
                throw new IllegalStateException("connmon stored " + stored + " of " + w.expectedStored()
                        + ", or rejected records of the storm");
            }
            return rate;
        } finally {
            reset();
        }
    }

    /**
     * Warm-up (JIT, prepared statements, the group's join): 10 000 events of other clients through the same topic,
     * stored before the measurement starts.
     */
    private void warmUp(PackagedApp app, Workload w, String topic) throws Exception {
        Workload warm = new Workload(w.name(), "warm-" + w.prefix(), WARMUP, w.activity());
        List<Map.Entry<String, String>> records = new ArrayList<>(WARMUP);
        for (int k = 0; k < WARMUP; k++) {
            records.add(Map.entry(warm.clientId(k), warm.json(k).encode()));
        }
        kafka.sendAll(topic, records);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (count(warm.storedSql()) < warm.expectedStored() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** Sends the records in one Kafka transaction; returns once it is committed, all records visible together. */
    private void produceAtOnce(String topic, List<Map.Entry<String, String>> records) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "storm-" + topic);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (Map.Entry<String, String> record : records) {
                producer.send(new ProducerRecord<>(topic, record.getKey(), record.getValue()));
            }
            producer.commitTransaction();
        }
    }

    /** Kafka's own consumer reading the same records from the start of the topic. */
    private double kafkaCeiling(Workload w, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "ceiling-" + topic);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, DoubleSupplier> sources = new LinkedHashMap<>();
        sources.put("consumer", CpuMeter::selfSeconds);
        sources.put("Kafka", CpuMeter.process(kafka.pid()));
        CpuMeter meter = CpuMeter.start(sources);
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            while (read < w.events() + WARMUP) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                read += records.count();
            }
            consumer.commitSync();
        }
        CpuMeter.Reading reading = meter.stop();
        double rate = (w.events() + WARMUP) / reading.seconds();
        System.out.printf(
                "  Kafka's consumer %,9.0f events/s (%.1f s, group join included); CPU µs/event: consumer %.1f, Kafka "
                        + "%.1f%n",
                rate,
                reading.seconds(),
                reading.cores("consumer") * reading.seconds() * 1e6 / (w.events() + WARMUP),
                reading.cores("Kafka") * reading.seconds() * 1e6 / (w.events() + WARMUP));
        return rate;
    }

    private static double perEvent(CpuMeter.Reading reading, String source, Workload w) {
        return reading.cores(source) * reading.seconds() * 1e6 / w.events();
    }

    private long count(String sql) throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement statement = db.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void reset() throws SQLException {
        try (Connection db = TestDatabases.connect(jdbcUrl);
                Statement sql = db.createStatement()) {
            sql.execute("TRUNCATE connection_log, client_state, state_change, rejected_message");
            sql.execute("CHECKPOINT");
        }
    }
}
