package dev.connmon.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real one-node Kafka broker (KRaft, broker and controller in one process) of the test's own, on free ports: Apache
 * Kafka's own {@code kafka.Kafka} from the Maven Central jars on the test classpath, run as a child process after
 * {@code StorageTool format}. A child process rather than Kafka's in-JVM test kit: it can be killed and started again
 * on the same ports and log directory (an outage), and its Scala and logging stay out of the application's JVM.
 */
public final class TestKafka implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path properties;
    private final int port;
    private Process process;
    private KafkaProducer<byte[], byte[]> producer;
    private Admin admin;

    private TestKafka(Path dir, Path properties, int port) {
        this.dir = dir;
        this.properties = properties;
        this.port = port;
    }

    /** Formats a new log directory and starts the broker; returns once it answers. */
    public static TestKafka start() {
        try {
            Path dir = Files.createTempDirectory("kafka");
            int port = PackagedApp.freePort();
            int controllerPort = PackagedApp.freePort();
            Path properties = dir.resolve("server.properties");
            Files.writeString(properties, """
                    process.roles=broker,controller
                    node.id=1
                    controller.quorum.voters=1@127.0.0.1:%2$d
                    listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                    advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
                    controller.listener.names=CONTROLLER
                    listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                    inter.broker.listener.name=PLAINTEXT
                    log.dirs=%3$s
                    num.partitions=4
                    offsets.topic.replication.factor=1
                    offsets.topic.num.partitions=4
                    transaction.state.log.replication.factor=1
                    transaction.state.log.min.isr=1
                    group.initial.rebalance.delay.ms=0
                    auto.create.topics.enable=true
                    log.cleaner.backoff.ms=1000
                    """.formatted(port, controllerPort, dir.resolve("logs")));
            Files.writeString(
                    dir.resolve("logback.xml"),
                    "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder>"
                            + "<pattern>%d %-5level %logger{36} - %msg%n</pattern></encoder></appender>"
                            + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>");
            TestKafka kafka = new TestKafka(dir, properties, port);
            kafka.run(
                            "kafka.tools.StorageTool",
                            "format",
                            "-t",
                            Uuid.randomUuid().toString(),
                            "-c",
                            properties.toString())
                    .waitFor(60, TimeUnit.SECONDS);
            try {
                kafka.startBroker();
            } catch (RuntimeException e) {
                // a broker that never answered must not outlive the test run on its ports
                kafka.kill();
                throw e;
            }
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What {@link #takeOver} needs, as JDK types: the broker may be taken over in another class loader. */
    Map<String, Object> handOver() {
        return Map.of("dir", dir, "port", port, "process", process);
    }

    /** A broker started by {@link #start()} elsewhere, from its {@link #handOver()}. */
    static TestKafka takeOver(Path dir, int port, Process process) {
        TestKafka kafka = new TestKafka(dir, dir.resolve("server.properties"), port);
        kafka.process = process;
        return kafka;
    }

    /** The broker's process id (for CPU measurements); -1 while it is down. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** kill -9 of the broker: an outage; {@link #restart()} brings it back with its log. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** The broker again, on the same port and log directory. */
    public synchronized void restart() {
        kill();
        startBroker();
    }

    private void startBroker() {
        process = run("kafka.Kafka", properties.toString());
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited with " + process.exitValue() + "; see " + dir);
            }
            try (Admin probe = Admin.create(adminConfig())) {
                probe.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException notYet) {
                sleep(250);
            }
        }
        throw new IllegalStateException("Kafka did not answer within " + START_TIMEOUT + "; see " + dir);
    }

    private Process run(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider",
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
                "-cp",
                classpath(),
                mainClass));
        command.addAll(List.of(args));
        try {
            return new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("kafka.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The test classpath: Surefire and Failsafe name it in a property of their own (java.class.path is a booter);
     * exec:java (the benchmarks) loads it in a class loader of its own.
     */
    private static String classpath() {
        String path = System.getProperty("surefire.test.class.path");
        if ((path == null || path.isBlank())
                && TestKafka.class.getClassLoader() instanceof java.net.URLClassLoader loader) {
            List<String> urls = new ArrayList<>();
            for (java.net.URL url : loader.getURLs()) {
                urls.add(url.getPath());
            }
            path = String.join(File.pathSeparator, urls);
        }
        if (path == null || path.isBlank()) {
            path = System.getProperty("java.class.path");
        }
        // the broker needs only the jars; the project's classes would bring connmon's own logging configuration
        List<String> jars = new ArrayList<>();
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.endsWith(".jar")) {
                jars.add(entry);
            }
        }
        return String.join(File.pathSeparator, jars);
    }

    private Map<String, Object> adminConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        return config;
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminConfig());
        }
        return admin;
    }

    /** Creates a topic (nothing if it exists); {@code compacted} for a state topic. */
    public void createTopic(String name, int partitions, boolean compacted) {
        NewTopic topic = new NewTopic(name, partitions, (short) 1);
        if (compacted) {
            topic.configs(Map.of("cleanup.policy", "compact"));
        }
        try {
            admin().createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends one record and waits for the broker's ack; a null key or value as given. */
    public void send(String topic, String key, String value) {
        send(topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    public void send(String topic, String key, byte[] value) {
        try {
            producer()
                    .send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends many records at once, then waits for all of them (a storm). */
    public void sendAll(String topic, List<Map.Entry<String, String>> records) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (Map.Entry<String, String> record : records) {
            sent.add(producer()
                    .send(new ProducerRecord<>(
                            topic,
                            record.getKey() == null ? null : record.getKey().getBytes(StandardCharsets.UTF_8),
                            record.getValue().getBytes(StandardCharsets.UTF_8))));
        }
        for (java.util.concurrent.Future<?> future : sent) {
            try {
                future.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Properties config = new Properties();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            producer = new KafkaProducer<>(config);
        }
        return producer;
    }

    /**
     * Every record of a topic from its start, read until the end offsets seen when the read began; keys and values
     * as text (a null value is a tombstone).
     */
    public List<ConsumerRecord<String, String>> readAll(String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(info -> new TopicPartition(topic, info.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Instant deadline = Instant.now().plusSeconds(60);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + topic + " to its end");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    records.add(new ConsumerRecord<>(
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                            record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8)));
                }
            }
        }
        return records;
    }

    /** The committed offsets of a consumer group, summed over a topic's partitions (-1: none committed). */
    public long committedOffsets(String group, String topic) {
        try {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets =
                    admin().listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            return offsets.entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset())
                    .reduce(Long::sum)
                    .orElse(-1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the broker's port is open. */
    public boolean isUp() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        kill();
    }
}
