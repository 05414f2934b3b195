package dev.connmon.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.LifecycleLoad;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import dev.connmon.support.TestMosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * connmon killed with SIGKILL in the middle of a stream, then started again: every event is stored exactly once.
 * The broker keeps connmon's persistent session; connmon acknowledged only what it had committed, so the broker
 * redelivers the rest, and the log's dedup key makes a redelivery of a committed event add nothing.
 */
@Tag("reliability")
class CrashRecoveryIT {
    private static final int EVENTS = Integer.getInteger("test.crash.events", 100_000);

    @Test
    void killedMidStreamOnAnExternalBrokerLosesAndDoublesNothing() throws Exception {
        LifecycleLoad load = new LifecycleLoad("crash", EVENTS / 10, 10);
        Path dir = Files.createTempDirectory("crash-pg");
        try (TestMosquitto mosquitto = TestMosquitto.start(true);
                EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("pg"), true)) {
            String jdbc = TestDatabases.remember(database.datasourceConfig()).get("quarkus.datasource.jdbc.url");
            Map<String, String> config = new LinkedHashMap<>(TestDatabases.remember(database.datasourceConfig()));
            config.put("connmon.mqtt.host", "127.0.0.1");
            config.put("connmon.mqtt.port", Integer.toString(mosquitto.port()));
            config.put("connmon.mqtt.client-id", "connmon-crash");
            config.put("quarkus.log.level", "WARN");

            PackagedApp first = PackagedApp.start(config, List.of());
            Mqtt5AsyncClient publisher = LifecycleLoad.publisher("127.0.0.1", mosquitto.port(), null, null);
            CompletableFuture<Void> published = load.publish(publisher, "connmon/events/", 0, load.size());
            // kill it while it is busy: some of the stream stored, much still in flight or queued at the broker
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> load.stored(jdbc) >= load.size() / 5);
            first.kill();
            long storedAtKill = load.stored(jdbc);
            System.out.printf("kill -9 with %d of %d events stored%n", storedAtKill, load.size());
            assertThat(storedAtKill).isLessThan(load.size());

            published.get(5, TimeUnit.MINUTES);
            try (PackagedApp second = PackagedApp.start(config, List.of())) {
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> load.stored(jdbc) >= load.size());
                // nothing more arrives later: exactly the stream, once
                Thread.sleep(2_000);
                assertThat(load.stored(jdbc)).isEqualTo(load.size());
                assertThat(load.inFinalStatus(jdbc)).isEqualTo(load.size() / 10);
            }
            publisher.disconnect().join();
        }
    }

    /**
     * The embedded default has no external broker to keep its session, and its broker refuses forged lifecycle
     * events: the load is real devices connecting and disconnecting. What must hold is that connmon starts again on
     * its data directory with no manual cleanup (the PostgreSQL it left running, the broker's files), keeps all it
     * had committed, and records a new stream completely.
     */
    @Test
    void theEmbeddedDefaultRestartsOnItsDataDirectoryAfterSigkill() throws Exception {
        Path dataDir = Files.createTempDirectory("crash-embedded");
        int brokerPort = PackagedApp.freePort();
        int databasePort = PackagedApp.freePort();
        String jdbc = "jdbc:postgresql://127.0.0.1:" + databasePort + "/postgres";
        TestDatabases.rememberFile(databasePort, EmbeddedDatabase.passwordFile(dataDir.resolve("postgres")));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("connmon.embedded.data-dir", dataDir.toString());
        config.put("connmon.embedded.broker-port", Integer.toString(brokerPort));
        config.put("connmon.embedded.database-port", Integer.toString(databasePort));
        config.put("quarkus.log.level", "WARN");

        PackagedApp first = PackagedApp.start(config, List.of());
        String before = "before-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Thread churn = new Thread(() -> churn(brokerPort, before, 2_000, 2), "churn-before");
        churn.setDaemon(true);
        churn.start();
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> LifecycleLoad.logRows(jdbc, before) >= 500);
        first.kill();
        churn.join(30_000);
        // what PostgreSQL had committed when connmon died (it outlives connmon: pg_ctl detached it)
        long committed = LifecycleLoad.logRows(jdbc, before);
        System.out.printf("kill -9 with %d lifecycle events of the churn committed%n", committed);

        try (PackagedApp second = PackagedApp.start(config, List.of())) {
            assertThat(LifecycleLoad.logRows(jdbc, before)).isGreaterThanOrEqualTo(committed);
            String after = "after-" + UUID.randomUUID().toString().substring(0, 8) + "-";
            churn(brokerPort, after, 500, 2);
            // 500 devices, two connections each: a connect and a disconnect per connection
            await().atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> LifecycleLoad.logRows(jdbc, after) >= 2_000);
            Thread.sleep(1_000);
            assertThat(LifecycleLoad.logRows(jdbc, after)).isEqualTo(2_000);
            assertThat(LifecycleLoad.logRows(jdbc, before)).isGreaterThanOrEqualTo(committed);
        }
    }

    /** Devices that each connect and disconnect cleanly {@code times} times, one after another; stops at an error. */
    private static void churn(int port, String prefix, int devices, int times) {
        try {
            for (int d = 0; d < devices; d++) {
                Mqtt5BlockingClient device = MqttClient.builder()
                        .useMqttVersion5()
                        .identifier(prefix + d)
                        .serverHost("127.0.0.1")
                        .serverPort(port)
                        .buildBlocking();
                for (int t = 0; t < times; t++) {
                    device.connect();
                    device.disconnect();
                }
            }
        } catch (RuntimeException brokerGone) {
            System.out.println("churn " + prefix + " ended: " + brokerGone);
        }
    }
}
