package dev.connmon.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.LifecycleLoad;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import dev.connmon.support.TestKafka;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The packaged connmon reading a real Kafka broker: killed with SIGKILL mid-stream, two instances sharing one group's
 * partitions and one taking over the other's, and the broker stopped and started again. Every time, each event is
 * stored exactly once (the log keeps one row per distinct event, so its row count says how many arrived), and the
 * state topic's latest record per client is its stored state.
 */
@Tag("long")
class KafkaReliabilityIT {
    private static final int CLIENTS = Integer.getInteger("test.kafka.clients", 2_000);
    private static final int PER_CLIENT = 10;
    private static final String TOPIC = "connmon.lifecycle";
    private static final String STATES = "connmon.states";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Kafka alone: no embedded broker, no MQTT; readiness names the Kafka consumer; a kill -9 loses and doubles nothing. */
    @Test
    void killedMidStreamLosesAndDoublesNothing() throws Exception {
        LifecycleLoad load = new LifecycleLoad("kafka-crash", CLIENTS, PER_CLIENT);
        Path dir = Files.createTempDirectory("kafka-crash");
        try (TestKafka kafka = TestKafka.start();
                EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("pg"), true)) {
            kafka.createTopic(TOPIC, 4, false);
            kafka.createTopic(STATES, 4, true);
            String jdbc = TestDatabases.remember(database.datasourceConfig()).get("quarkus.datasource.jdbc.url");
            int brokerPort = PackagedApp.freePort();
            Map<String, String> config = config(kafka, database, "connmon-crash");
            config.put("connmon.embedded.broker-port", Integer.toString(brokerPort));

            PackagedApp first = PackagedApp.start(config, List.of());
            assertThat(listening(brokerPort)).as("an embedded MQTT broker").isFalse();
            String ready = readiness(first);
            assertThat(ready).contains("lifecycle-kafka").contains("off: no MQTT broker");

            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> send(kafka, load));
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> load.stored(jdbc) >= load.size() / 5);
            first.kill();
            long storedAtKill = load.stored(jdbc);
            System.out.printf("kill -9 with %d of %d events stored%n", storedAtKill, load.size());
            assertThat(storedAtKill).isLessThan(load.size());
            sent.get(5, TimeUnit.MINUTES);

            try (PackagedApp second = PackagedApp.start(config, List.of())) {
                awaitExactly(load, jdbc);
                awaitStateTopic(kafka, load, jdbc);
            }
        }
    }

    /** Two instances in one group both take partitions; one is killed and the other takes its partitions over. */
    @Test
    void twoInstancesShareThePartitionsAndOneTakesOver() throws Exception {
        LifecycleLoad load = new LifecycleLoad("kafka-group", CLIENTS, PER_CLIENT);
        Path dir = Files.createTempDirectory("kafka-group");
        try (TestKafka kafka = TestKafka.start();
                EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("pg"), true)) {
            kafka.createTopic(TOPIC, 4, false);
            kafka.createTopic(STATES, 4, true);
            String jdbc = TestDatabases.remember(database.datasourceConfig()).get("quarkus.datasource.jdbc.url");
            Map<String, String> config = config(kafka, database, "connmon-group");
            // a dead member's partitions move after the session timeout: keep the test short
            config.put("kafka.session.timeout.ms", "10000");
            config.put("kafka.heartbeat.interval.ms", "1000");
            PackagedApp one = PackagedApp.start(config, List.of());
            try (PackagedApp two = PackagedApp.start(config, List.of())) {
                await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                    List<Integer> shares = assignments(kafka, "connmon-group");
                    assertThat(shares).hasSize(2).allMatch(partitions -> partitions > 0);
                });
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> send(kafka, load));
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> load.stored(jdbc) >= load.size() / 4);
                one.kill();
                System.out.printf("one instance killed with %d of %d events stored%n", load.stored(jdbc), load.size());
                sent.get(5, TimeUnit.MINUTES);
                await().atMost(Duration.ofMinutes(1))
                        .untilAsserted(() ->
                                assertThat(assignments(kafka, "connmon-group")).containsExactly(4));
                awaitExactly(load, jdbc);
                awaitStateTopic(kafka, load, jdbc);
            }
        }
    }

    /** The broker killed mid-stream and back after a while: connmon waits, then reads on; nothing lost or doubled. */
    @Test
    void aBrokerOutageLosesNothing() throws Exception {
        LifecycleLoad load = new LifecycleLoad("kafka-outage", CLIENTS, PER_CLIENT);
        Path dir = Files.createTempDirectory("kafka-outage");
        try (TestKafka kafka = TestKafka.start();
                EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("pg"), true)) {
            kafka.createTopic(TOPIC, 4, false);
            kafka.createTopic(STATES, 4, true);
            String jdbc = TestDatabases.remember(database.datasourceConfig()).get("quarkus.datasource.jdbc.url");
            try (PackagedApp app = PackagedApp.start(config(kafka, database, "connmon-outage"), List.of())) {
                int half = load.size() / 2;
                send(kafka, load, 0, half);
                await().atMost(Duration.ofMinutes(2))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> load.stored(jdbc) >= half / 4);
                kafka.kill();
                System.out.printf("Kafka killed with %d of %d events stored%n", load.stored(jdbc), half);
                Thread.sleep(15_000);
                kafka.restart();
                send(kafka, load, half, load.size());
                awaitExactly(load, jdbc);
                awaitStateTopic(kafka, load, jdbc);
                assertThat(app.readiness()).isEqualTo(200);
            }
        }
    }

    private static Map<String, String> config(TestKafka kafka, EmbeddedDatabase database, String group) {
        Map<String, String> config = new LinkedHashMap<>(TestDatabases.remember(database.datasourceConfig()));
        config.put("connmon.kafka.bootstrap-servers", kafka.bootstrapServers());
        config.put("connmon.kafka.group-id", group);
        config.put("connmon.kafka.state-topic", STATES);
        config.put("quarkus.log.level", "WARN");
        return config;
    }

    private static void send(TestKafka kafka, LifecycleLoad load) {
        send(kafka, load, 0, load.size());
    }

    /** Events {@code from} to {@code to} of the load, keyed by client id, in chunks the producer can hold. */
    private static void send(TestKafka kafka, LifecycleLoad load, int from, int to) {
        for (int start = from; start < to; start += 2_000) {
            List<Map.Entry<String, String>> records = new ArrayList<>();
            for (int k = start; k < Math.min(to, start + 2_000); k++) {
                var event = load.event(k);
                records.add(Map.entry(event.getString("clientId"), event.encode()));
            }
            kafka.sendAll(TOPIC, records);
        }
    }

    private static void awaitExactly(LifecycleLoad load, String jdbc) throws InterruptedException {
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> load.stored(jdbc) >= load.size());
        // nothing more arrives later: exactly the stream, once
        Thread.sleep(2_000);
        assertThat(load.stored(jdbc)).isEqualTo(load.size());
        assertThat(load.inFinalStatus(jdbc)).isEqualTo(load.clients());
    }

    /** Every client of the load has a latest state record, in its final status, as in the database. */
    private static void awaitStateTopic(TestKafka kafka, LifecycleLoad load, String jdbc) {
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> {
                    Map<String, String> latest = new HashMap<>();
                    for (ConsumerRecord<String, String> record : kafka.readAll(STATES)) {
                        if (record.key() != null && record.key().startsWith(load.prefix())) {
                            latest.put(record.key(), record.value());
                        }
                    }
                    assertThat(latest).hasSize(load.clients());
                    assertThat(latest.values())
                            .allMatch(state -> state.contains("\"connectionStatus\":\"" + load.finalStatus() + "\""));
                });
    }

    /** Partitions each member of the group holds, largest first. */
    private static List<Integer> assignments(TestKafka kafka, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                    .describedGroups()
                    .get(group)
                    .get(10, TimeUnit.SECONDS);
            return description.members().stream()
                    .map(MemberDescription::assignment)
                    .map(assignment -> assignment.topicPartitions().size())
                    .sorted((a, b) -> b - a)
                    .toList();
        }
    }

    private static String readiness(PackagedApp app) throws IOException, InterruptedException {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(app.baseUrl() + "/q/health/ready"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
