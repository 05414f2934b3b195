package dev.connmon.embedded;

import dev.connmon.ingest.MqttSourceSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The embedded broker as EmbeddedMain starts it: its settings read from the startup configuration, checked at once,
 * and the broker itself started on a thread of its own while Quarkus starts; EmbeddedNodeGuard waits for it before
 * anything connects, and seals it when connmon stops.
 */
final class BrokerLaunch {
    private static final String SYSTEM_USERNAME = "connmon-system";
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    /** The broker started here (in this class loader; a dev-mode reload's has none), for EmbeddedNodeGuard. */
    private static volatile CompletableFuture<EmbeddedBroker> broker;

    private BrokerLaunch() {}

    /**
     * Checks the broker's settings and port here, starts it on a thread of its own, and points connmon's own MQTT
     * connection at it; what is returned closes it once it has started.
     */
    static AutoCloseable start(StartupConfig config, Path dataDir) {
        String password = randomSecret();
        String monitorAccess = config.get("connmon.embedded.monitor-access", "api-keys");
        if (!monitorAccess.equals("api-keys") && !monitorAccess.equals("anyone")) {
            throw new IllegalStateException("connmon.embedded.monitor-access is '" + monitorAccess
                    + "': use api-keys (only API-key connections read monitoring topics) or anyone");
        }
        int port = Integer.parseInt(config.get("connmon.embedded.broker-port", "1883"));
        String node = EmbeddedNode.name(config.get("connmon.embedded.node"), dataDir, port);
        Map<String, String> users = config.byPrefix("connmon.embedded.users.");
        BrokerSettings settings = new BrokerSettings(
                config.get("connmon.embedded.broker-host", "127.0.0.1"),
                port,
                Boolean.parseBoolean(config.get("connmon.embedded.anonymous", "true")),
                users,
                SYSTEM_USERNAME,
                password,
                config.get("connmon.canonical.topic-prefix", "connmon/events/"),
                node,
                dataDir.resolve("broker"),
                ApiKeys.fromStartupConfig(config, dataDir),
                monitorAccess.equals("anyone"),
                MonitorTopics.filters(config.get("connmon.monitor.topic", "connmon/clients/{clientId}/state")),
                activityWindow(config),
                MqttSourceSettings.ownClientIds(config::get, sourceNames(config)),
                BrokerSettings.userClientIds(users, config.byPrefix("connmon.embedded.client-ids.")),
                maxPacketSize(config));
        EmbeddedBroker starting = new EmbeddedBroker(settings).check();
        // every connect of this run is later than this: older connects of this node belong to earlier runs
        Instant brokerStart = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        CompletableFuture<EmbeddedBroker> start = CompletableFuture.supplyAsync(
                () -> {
                    EmbeddedBroker listening = starting.start();
                    System.err.printf(
                            "connmon: embedded MQTT broker (3.1.1 and 5) on %s:%d, node '%s'%n",
                            settings.host(), settings.port(), node);
                    return listening;
                },
                task -> new Thread(task, "connmon-embedded-broker").start());
        broker = start;
        EmbeddedNode.running(new EmbeddedNode(node, brokerStart));
        System.setProperty("connmon.mqtt.host", settings.host());
        System.setProperty("connmon.mqtt.port", Integer.toString(settings.port()));
        System.setProperty("connmon.mqtt.username", SYSTEM_USERNAME);
        System.setProperty("connmon.mqtt.password", password);
        return () -> {
            EmbeddedBroker listening = startedBroker(STOP_WAIT);
            if (listening != null) {
                listening.close();
            }
        };
    }

    /**
     * Waits for the broker this class loader started (not a dev-mode reload's: it started long ago) to listen.
     * Throws when it could not start.
     */
    static void awaitListening(Duration wait) {
        CompletableFuture<EmbeddedBroker> start = broker;
        if (start == null) {
            return;
        }
        try {
            start.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "the embedded MQTT broker did not start: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the embedded MQTT broker did not start within " + wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the embedded MQTT broker started");
        }
    }

    /** The broker once started, or null when it did not start (within {@code wait}). */
    private static EmbeddedBroker startedBroker(Duration wait) {
        try {
            awaitListening(wait);
            return broker == null ? null : broker.getNow(null);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /**
     * From now on the broker's lifecycle events are dropped: connmon has recorded every connection through it as
     * ended by its stop. No-op when this class loader started no broker (a dev-mode reload's).
     */
    static void seal() {
        CompletableFuture<EmbeddedBroker> start = broker;
        EmbeddedBroker started = start == null || start.isCompletedExceptionally() ? null : start.getNow(null);
        if (started != null) {
            started.seal();
        }
    }

    private static Duration activityWindow(StartupConfig config) {
        String value = config.get("connmon.activity.window", "PT1S");
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException(
                    "connmon.activity.window '" + value + "' is not an ISO 8601 duration (PT1S)");
        }
    }

    /**
     * The names of the further sources ({@code connmon.sources.<name>.*}); as environment variables only their
     * required {@code host} tells a name apart from a property ({@code CONNMON_SOURCES_<NAME>_HOST}).
     */
    private static Set<String> sourceNames(StartupConfig config) {
        Set<String> names = new TreeSet<>();
        for (String key : config.byPrefix("connmon.sources.").keySet()) {
            int dot = key.indexOf('.');
            if (dot > 0) {
                names.add(key.substring(0, dot));
            } else if (key.endsWith("_host")) {
                names.add(key.substring(0, key.length() - "_host".length()));
            }
        }
        return names;
    }

    private static int maxPacketSize(StartupConfig config) {
        String value = config.get(
                "connmon.embedded.max-packet-size", Integer.toString(BrokerSettings.DEFAULT_MAX_PACKET_SIZE));
        try {
            int size = Integer.parseInt(value);
            if (size >= 1024 && size <= BrokerSettings.MQTT_MAX_PACKET_SIZE) {
                return size;
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalStateException("connmon.embedded.max-packet-size '" + value
                + "' is not a number of bytes from 1024 to " + BrokerSettings.MQTT_MAX_PACKET_SIZE);
    }

    /** connmon's own broker password lives only in this process. */
    private static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
