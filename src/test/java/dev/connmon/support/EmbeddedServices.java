package dev.connmon.support;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.embedded.ApiKeys;
import dev.connmon.embedded.BrokerSettings;
import dev.connmon.embedded.EmbeddedBroker;
import dev.connmon.embedded.EmbeddedDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

/**
 * The embedded PostgreSQL and broker on free ports, for {@link ServicesResource}. Kept in its own class because
 * the native profile compiles without the embedded package, and so without this.
 */
public final class EmbeddedServices implements AutoCloseable {
    /** A device that connects before connmon has started, like devices rushing back to a restarted broker. */
    public static final String EARLY_CLIENT = "early-bird";

    private final EmbeddedDatabase database;
    private final BrokerSettings settings;
    private EmbeddedBroker broker;
    private final RawMqtt earlyClient;
    private final Map<String, String> config = new HashMap<>();

    public EmbeddedServices() {
        Path dir = tempDir();
        database = EmbeddedDatabase.start(dir.resolve("postgres"), true);
        config.putAll(TestDatabases.remember(database.datasourceConfig()));
        String password = UUID.randomUUID().toString();
        settings = new BrokerSettings(
                        "127.0.0.1",
                        PackagedApp.freePort(),
                        true,
                        Map.of(
                                ServicesResource.DEVICE_USER,
                                ServicesResource.DEVICE_PASSWORD,
                                ServicesResource.BOUND_USER,
                                ServicesResource.BOUND_PASSWORD),
                        "connmon-system",
                        password,
                        "connmon/events/",
                        "embedded",
                        dir.resolve("broker"))
                .withApiKeys(testApiKeys())
                .withUserClientIds(Map.of(ServicesResource.BOUND_USER, ServicesResource.BOUND_CLIENT_IDS));
        broker = new EmbeddedBroker(settings).start();
        try {
            earlyClient = RawMqtt.connect(settings.host(), settings.port(), EARLY_CLIENT, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("connmon.mqtt.host", settings.host());
        config.put("connmon.mqtt.port", Integer.toString(settings.port()));
        config.put("connmon.mqtt.username", settings.systemUsername());
        config.put("connmon.mqtt.password", password);
    }

    public Map<String, String> config() {
        return config;
    }

    /** An MQTT 5 client connected with connmon's system credentials to the broker that {@code config} names. */
    public static Mqtt5AsyncClient systemClient(Map<String, String> config, String identifier) {
        Mqtt5AsyncClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(identifier)
                .serverHost(config.get("connmon.mqtt.host"))
                .serverPort(Integer.parseInt(config.get("connmon.mqtt.port")))
                .buildAsync();
        client.connectWith()
                .simpleAuth()
                .username(config.get("connmon.mqtt.username"))
                .password(config.get("connmon.mqtt.password").getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .send()
                .join();
        return client;
    }

    /** Stops the broker (its sessions stay in its data folder) — an outage for whoever uses it. */
    public void stopBroker() {
        broker.close();
    }

    /** Starts it again on the same port and data folder. */
    public void startBroker() {
        broker = new EmbeddedBroker(settings).start();
    }

    @Override
    public void close() throws IOException {
        earlyClient.close();
        broker.close();
        database.close();
    }

    /** The API keys of the test profile (application.properties, %test), as EmbeddedMain reads them in production. */
    private static Map<String, ApiKeys.Key> testApiKeys() {
        Properties properties = new Properties();
        try (InputStream in = EmbeddedServices.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ApiKeys.of(
                byPrefix(properties, "%test." + ApiKeys.USERS_PREFIX),
                byPrefix(properties, "%test." + ApiKeys.ROLES_PREFIX));
    }

    private static Map<String, String> byPrefix(Properties properties, String prefix) {
        Map<String, String> entries = new HashMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith(prefix)) {
                entries.put(name.substring(prefix.length()), properties.getProperty(name));
            }
        }
        return entries;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("connmon-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
