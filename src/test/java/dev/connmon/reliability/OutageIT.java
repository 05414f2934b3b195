package dev.connmon.reliability;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.embedded.EmbeddedDatabase;
import dev.connmon.support.EmbeddedServices;
import dev.connmon.support.LifecycleLoad;
import dev.connmon.support.MonitorBacklog;
import dev.connmon.support.PackagedApp;
import dev.connmon.support.TestDatabases;
import dev.connmon.support.TestMosquitto;
import dev.connmon.support.TestMqtt;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The broker, then PostgreSQL, gone for {@code outage.seconds} (30) in the middle of a stream: connmon
 * reports not-ready meanwhile, holds no more than three batches in memory, and afterwards has stored every event once;
 * after a broker outage, every client's retained monitoring message is its final state.
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
                    TestDatabases.remember(database.datasourceConfig()).get("quarkus.datasource.jdbc.url"),
                    () -> LifecycleLoad.publisher("127.0.0.1", mosquitto.port(), null, null),
                    () -> LifecycleLoad.reader("127.0.0.1", mosquitto.port(), null, null),
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
                        // monitoring topics are for API keys on the embedded broker (docs/api.md §8)
                        () -> LifecycleLoad.reader("127.0.0.1", port, TestMqtt.READER_KEY, TestMqtt.READER_TOKEN),
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
            Supplier<Mqtt5AsyncClient> monitorReaders,
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
        assertRetainedStatesAreFinal(load, jdbc, monitorReaders);
    }

    /**
     * Every client's retained monitoring message (docs/api.md §4) is its final state. The broker went away with
     * monitoring publishes in flight; the publisher resumed from its cursor, which had not passed a change without
     * its PUBACK, and republished in feed order, so no stale state overwrote a newer one.
     */
    private static void assertRetainedStatesAreFinal(
            LifecycleLoad load, String jdbc, Supplier<Mqtt5AsyncClient> monitorReaders) {
        MonitorBacklog.awaitDrained(jdbc);
        Map<String, JsonObject> retained = new ConcurrentHashMap<>();
        Mqtt5AsyncClient reader = monitorReaders.get();
        reader.subscribeWith()
                .topicFilter("connmon/clients/+/state")
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback(message -> {
                    String clientId = message.getTopic().getLevels().get(2);
                    if (message.isRetain() && clientId.startsWith(load.prefix())) {
                        retained.put(clientId, new JsonObject(new String(message.getPayloadAsBytes(), UTF_8)));
                    }
                })
                .send()
                .join();
        try {
            await().atMost(Duration.ofMinutes(1)).until(() -> retained.size() >= load.clients());
            for (int client = 0; client < load.clients(); client++) {
                JsonObject last = load.lastEvent(client);
                JsonObject state = retained.get(last.getString("clientId"));
                String field = "connected".equals(last.getString("event")) ? "lastConnectTime" : "lastDisconnectTime";
                assertThat(state.getString("connectionStatus"))
                        .as("%s's retained state", last.getString("clientId"))
                        .isEqualTo(load.finalStatus());
                assertThat(Instant.parse(state.getString(field)))
                        .as("%s's retained %s", last.getString("clientId"), field)
                        .isEqualTo(Instant.parse(last.getString("time")));
            }
        } finally {
            reader.disconnect().join();
        }
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
            String jdbc = TestDatabases.remember(database.datasourceConfig()).get("quarkus.datasource.jdbc.url");
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
        Map<String, String> config = new LinkedHashMap<>(TestDatabases.remember(database.datasourceConfig()));
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
