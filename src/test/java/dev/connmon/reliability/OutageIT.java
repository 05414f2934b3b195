package dev.connmon.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.EmbeddedServices;
import dev.connmon.support.LifecycleLoad;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestMosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The broker, then PostgreSQL, gone for {@code outage.seconds} (30) in the middle of a stream: connmon
 * reports not-ready meanwhile, holds no more than two batches in memory, and afterwards has stored every event once.
 */
@Tag("reliability")
class OutageIT {
    private static final Duration OUTAGE = Duration.ofSeconds(Integer.getInteger("test.outage.seconds", 30));
    private static final int EVENTS = Integer.getInteger("test.outage.events", 20_000);

    @Test
    void aBrokerOutageLosesNothingTheBrokerKept() throws Exception {
        Path dir = Files.createTempDirectory("outage-pg");
        try (TestMosquitto mosquitto = TestMosquitto.start(true);
                EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("pg"), true);
                PackagedApp app = PackagedApp.start(config(database, mosquitto), List.of())) {
            brokerOutage(
                    "Mosquitto",
                    app,
                    database.datasourceConfig().get("quarkus.datasource.jdbc.url"),
                    () -> LifecycleLoad.publisher("127.0.0.1", mosquitto.port(), null, null),
                    mosquitto::stop,
                    mosquitto::restart);
        }
    }

    /** The same against the embedded broker (HiveMQ CE), stopped and started again on its data folder. */
    @Test
    void anEmbeddedBrokerOutageLosesNothingTheBrokerKept() throws Exception {
        try (EmbeddedServices services = new EmbeddedServices()) {
            Map<String, String> config = new LinkedHashMap<>(services.config());
            config.put("connmon.mqtt.client-id", "connmon-outage");
            config.put("quarkus.log.level", "WARN");
            int port = Integer.parseInt(config.get("connmon.mqtt.port"));
            try (PackagedApp app = PackagedApp.start(config, List.of())) {
                // the system user: the embedded broker lets no one else publish on the lifecycle topics
                brokerOutage(
                        "embedded broker",
                        app,
                        config.get("quarkus.datasource.jdbc.url"),
                        () -> LifecycleLoad.publisher(
                                "127.0.0.1",
                                port,
                                config.get("connmon.mqtt.username"),
                                config.get("connmon.mqtt.password")),
                        services::stopBroker,
                        services::startBroker);
            }
        }
    }

    /**
     * Half the stream, the broker stopped for {@link #OUTAGE} while connmon works through it, the broker back, the
     * other half through a new publisher (the first one's session may not survive the broker), then every event once.
     */
    private static void brokerOutage(
            String broker,
            PackagedApp app,
            String jdbc,
            Supplier<Mqtt5AsyncClient> publishers,
            Runnable stop,
            Runnable start)
            throws Exception {
        LifecycleLoad load = new LifecycleLoad("broker-outage", EVENTS / 10, 10);
        Mqtt5AsyncClient before = publishers.get();
        load.publish(before, "connmon/events/", 0, load.size() / 2).get(2, TimeUnit.MINUTES);
        await().atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> load.stored(jdbc) >= load.size() / 20);

        stop.run();
        Instant down = Instant.now();
        long storedAtStop = load.stored(jdbc);
        await().atMost(Duration.ofSeconds(15)).until(() -> app.readiness() == 503);
        System.out.printf(
                "%s stopped with %d of %d events stored; connmon not ready after %d ms%n",
                broker,
                storedAtStop,
                load.size() / 2,
                Duration.between(down, Instant.now()).toMillis());
        sleepUntil(down.plus(OUTAGE));
        assertThat(app.readiness()).isEqualTo(503);

        start.run();
        Instant up = Instant.now();
        await().atMost(Duration.ofMinutes(1)).until(() -> app.readiness() == 200);
        System.out.printf(
                "%s back; connmon ready after %d ms%n",
                broker, Duration.between(up, Instant.now()).toMillis());
        before.disconnect();
        Mqtt5AsyncClient after = publishers.get();
        load.publish(after, "connmon/events/", load.size() / 2, load.size()).get(2, TimeUnit.MINUTES);

        awaitExactly(load, jdbc);
        after.disconnect().join();
    }

    @Test
    void aDatabaseOutageStopsThePullAndLosesNothing() throws Exception {
        LifecycleLoad load = new LifecycleLoad("pg-outage", EVENTS / 10, 10);
        Path dir = Files.createTempDirectory("outage-pg");
        int pgPort = PackagedApp.freePort();
        // not "clean": that would also delete the data directory when the server stops for the outage
        EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("pg"), false, Map.of(), pgPort);
        try (TestMosquitto mosquitto = TestMosquitto.start(true);
                PackagedApp app = PackagedApp.start(config(database, mosquitto), List.of())) {
            String jdbc = database.datasourceConfig().get("quarkus.datasource.jdbc.url");
            Mqtt5AsyncClient publisher = LifecycleLoad.publisher("127.0.0.1", mosquitto.port(), null, null);
            load.publish(publisher, "connmon/events/", 0, load.size() / 2).get(2, TimeUnit.MINUTES);
            await().atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> load.stored(jdbc) >= load.size() / 20);

            database.close();
            Instant down = Instant.now();
            // the stream goes on while PostgreSQL is away: it waits at the broker, not in connmon
            load.publish(publisher, "connmon/events/", load.size() / 2, load.size())
                    .get(2, TimeUnit.MINUTES);
            await().atMost(Duration.ofSeconds(30)).until(() -> app.readiness() == 503);
            System.out.printf(
                    "PostgreSQL stopped; connmon not ready after %d ms%n",
                    Duration.between(down, Instant.now()).toMillis());
            double held = 0;
            while (Instant.now().isBefore(down.plus(OUTAGE))) {
                held = Math.max(held, app.metric("connmon_ingest_unacknowledged"));
                Thread.sleep(500);
            }
            System.out.printf(
                    "during the outage connmon held at most %.0f unacknowledged messages of %d published%n",
                    held, load.size());
            // back-pressure: three batches at most (batch size 500, two written at once), not the backlog
            assertThat(held).isBetween(1.0, 1_500.0);
            assertThat(app.readiness()).isEqualTo(503);

            database = EmbeddedDatabase.start(dir.resolve("pg"), false, Map.of(), pgPort);
            Instant up = Instant.now();
            await().atMost(Duration.ofMinutes(1)).until(() -> app.readiness() == 200);
            System.out.printf(
                    "PostgreSQL back; connmon ready after %d ms%n",
                    Duration.between(up, Instant.now()).toMillis());

            awaitExactly(load, jdbc);
            publisher.disconnect().join();
        } finally {
            database.close();
        }
    }

    private static Map<String, String> config(EmbeddedDatabase database, TestMosquitto mosquitto) {
        Map<String, String> config = new LinkedHashMap<>(database.datasourceConfig());
        config.put("connmon.mqtt.host", "127.0.0.1");
        config.put("connmon.mqtt.port", Integer.toString(mosquitto.port()));
        config.put("connmon.mqtt.client-id", "connmon-outage");
        config.put("quarkus.log.level", "WARN");
        return config;
    }

    private static void awaitExactly(LifecycleLoad load, String jdbc) throws InterruptedException {
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> load.stored(jdbc) >= load.size());
        Thread.sleep(2_000);
        assertThat(load.stored(jdbc)).isEqualTo(load.size());
        assertThat(load.inFinalStatus(jdbc)).isEqualTo(load.size() / 10);
    }

    private static void sleepUntil(Instant when) throws InterruptedException {
        long millis = Duration.between(Instant.now(), when).toMillis();
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
