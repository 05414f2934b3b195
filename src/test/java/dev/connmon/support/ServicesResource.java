package dev.connmon.support;

import dev.connmon.embedded.BrokerSettings;
import dev.connmon.embedded.EmbeddedBroker;
import dev.connmon.embedded.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The database and broker the tests run against. By default: the embedded PostgreSQL and the embedded broker,
 * on free ports, so that {@code ./mvnw verify} needs nothing but a JDK. With {@code -Dconnmon.test.services=machine}
 * (the {@code machine-services} Maven profile): this machine's PostgreSQL (127.0.0.1:5432, database test) and
 * Mosquitto (127.0.0.1:1883), in a schema and a topic tree of their own.
 */
public class ServicesResource implements QuarkusTestResourceLifecycleManager {
    public static final String MACHINE = "machine";
    public static final String DEVICE_USER = "alice";
    public static final String DEVICE_PASSWORD = "alice-secret";

    private EmbeddedDatabase database;
    private EmbeddedBroker broker;

    public static boolean machineServices() {
        return MACHINE.equals(System.getProperty("connmon.test.services"));
    }

    @Override
    public Map<String, String> start() {
        return machineServices() ? machine() : embedded();
    }

    private Map<String, String> embedded() {
        Map<String, String> config = new HashMap<>();
        Path dir = tempDir();
        database = EmbeddedDatabase.start(dir.resolve("postgres"), true);
        config.putAll(database.datasourceConfig());
        String password = UUID.randomUUID().toString();
        BrokerSettings settings = new BrokerSettings("127.0.0.1", freePort(), true,
                Map.of(DEVICE_USER, DEVICE_PASSWORD), "connmon-system", password, "connmon/events/", "embedded",
                dir.resolve("broker"));
        broker = new EmbeddedBroker(settings).start();
        config.put("connmon.mqtt.host", settings.host());
        config.put("connmon.mqtt.port", Integer.toString(settings.port()));
        config.put("connmon.mqtt.username", settings.systemUsername());
        config.put("connmon.mqtt.password", password);
        return config;
    }

    private Map<String, String> machine() {
        String schema = "connmon_ci";
        String prefix = "connmon-ci-" + UUID.randomUUID().toString().substring(0, 8) + "/events/";
        Map<String, String> config = new HashMap<>();
        config.put("quarkus.datasource.username", "postgres");
        config.put("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/test?search_path=" + schema);
        config.put("quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema);
        config.put("quarkus.flyway.schemas", schema);
        config.put("quarkus.flyway.clean-disabled", "false");
        config.put("quarkus.flyway.clean-at-start", "true");
        config.put("connmon.mqtt.host", "127.0.0.1");
        config.put("connmon.mqtt.port", "1883");
        config.put("connmon.mqtt.client-id", "connmon-ci");
        config.put("connmon.canonical.topic-prefix", prefix);
        config.put("connmon.mqtt.topics", prefix + "#");
        return config;
    }

    @Override
    public void stop() {
        if (broker != null) {
            broker.close();
        }
        if (database != null) {
            database.close();
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("connmon-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
