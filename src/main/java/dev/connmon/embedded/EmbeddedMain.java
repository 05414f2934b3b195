package dev.connmon.embedded;

import dev.connmon.ingest.MqttSourceSettings;
import io.quarkus.runtime.Application;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * connmon's entry point on the JVM: starts the embedded PostgreSQL when no database is configured and the
 * embedded broker when no broker (nor Kafka) is, points Quarkus at them, then runs the application. The native build leaves
 * this package out and runs Quarkus' own main, with database and broker always configured.
 */
@QuarkusMain
public final class EmbeddedMain {
    /** Dev mode calls main() again on every live reload; the embedded services must start only once. */
    private static final String STARTED = "connmon.embedded.started";

    static final String SYSTEM_USERNAME = "connmon-system";
    private static final long QUARKUS_STOP_WAIT_MS = 30_000;
    private static final Duration BROKER_STOP_WAIT = Duration.ofSeconds(30);
    /** The broker started here (in this class loader), for EmbeddedNodeGuard's start and stop. */
    private static volatile CompletableFuture<EmbeddedBroker> broker;
    /**
     * Hibernate Validator announces its version when it first validates, which a bad setting makes happen before
     * Quarkus' log is set up: a plain JUL INFO line above the one naming the key. Held: JUL keeps loggers weakly.
     */
    private static final Logger VALIDATOR_VERSION = Logger.getLogger("org.hibernate.validator.internal.util.Version");

    public static void main(String... args) {
        VALIDATOR_VERSION.setLevel(Level.WARNING);
        List<AutoCloseable> started = new ArrayList<>();
        if (System.getProperty(STARTED) == null) {
            System.setProperty(STARTED, "true");
            try {
                // before anything logs, reading the configuration included
                EmbeddedLogging.useLogback();
                startEmbedded(new StartupConfig(), started);
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(() -> closeAfterQuarkus(started), "connmon-embedded-stop"));
            } catch (IllegalStateException e) {
                System.err.println("connmon: " + e.getMessage());
                closeAll(started);
                System.exit(1);
            }
        }
        try {
            Quarkus.run(args);
        } finally {
            // a dev-mode reload stops Quarkus and calls main() again, with the services still needed; they are
            // closed when the JVM exits (the shutdown hook)
            if (LaunchMode.current() != LaunchMode.DEVELOPMENT) {
                closeAll(started);
            }
        }
    }

    /**
     * PostgreSQL (a child process, mostly waiting for it) and the broker (in this JVM, mostly class loading and
     * opening its stores) start on threads of their own. Quarkus needs the database's address before it starts, so
     * this waits for PostgreSQL; the broker's address is known before it listens, so Quarkus starts beside it and
     * EmbeddedNodeGuard waits for it before anything connects. Both end up in {@code started}, database first, even
     * when the other failed.
     */
    private static void startEmbedded(StartupConfig config, List<AutoCloseable> started) {
        Path dataDir =
                Path.of(config.get("connmon.embedded.data-dir", "connmon-data")).toAbsolutePath();
        CompletableFuture<EmbeddedDatabase> database =
                config.get("quarkus.datasource.reactive.url").isEmpty()
                        ? CompletableFuture.supplyAsync(
                                () -> startDatabase(config, dataDir),
                                task -> new Thread(task, "connmon-embedded-postgres").start())
                        : CompletableFuture.completedFuture(null);
        RuntimeException failure = null;
        try {
            if (config.get("connmon.mqtt.host").isEmpty()
                    && config.get("connmon.kafka.bootstrap-servers").isPresent()) {
                // Kafka is the source: no broker to start, no MQTT connection (docs/kafka.md)
                System.err.printf(
                        "connmon: lifecycle events from Kafka at %s; no MQTT broker%n",
                        config.get("connmon.kafka.bootstrap-servers").orElseThrow());
            } else if (config.get("connmon.mqtt.host").isEmpty()) {
                started.add(startBroker(config, dataDir));
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            EmbeddedDatabase startedDatabase = database.join();
            if (startedDatabase != null) {
                // closed last: connmon's stop still writes to it
                started.add(0, startedDatabase);
                startedDatabase.datasourceConfig().forEach(System::setProperty);
                System.err.printf(
                        "connmon: embedded PostgreSQL on 127.0.0.1:%d, data in %s, user postgres, password in %s%n",
                        startedDatabase.port(),
                        dataDir.resolve("postgres"),
                        EmbeddedDatabase.passwordFile(dataDir.resolve("postgres")));
            }
        } catch (CompletionException e) {
            RuntimeException cause = e.getCause() instanceof RuntimeException r ? r : e;
            if (failure == null) {
                failure = cause;
            } else {
                failure.addSuppressed(cause);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * zonky starts PostgreSQL for throw-away test databases (fsync and synchronous commit off); connmon's data must
     * survive a crash of PostgreSQL itself (the out-of-memory killer) and of the machine. Closed after Quarkus has
     * stopped: connmon's stop still writes to it.
     */
    private static EmbeddedDatabase startDatabase(StartupConfig config, Path dataDir) {
        return EmbeddedDatabase.start(
                dataDir.resolve("postgres"),
                false,
                Map.of("fsync", "on", "synchronous_commit", "on"),
                Integer.parseInt(config.get("connmon.embedded.database-port", "0")),
                false);
    }

    /**
     * Checks the broker's settings and port here, starts it on a thread of its own, and points connmon's own MQTT
     * connection at it; what is returned closes it once it has started.
     */
    private static AutoCloseable startBroker(StartupConfig config, Path dataDir) {
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
            EmbeddedBroker listening = startedBroker(BROKER_STOP_WAIT);
            if (listening != null) {
                listening.close();
            }
        };
    }

    /**
     * Waits for the broker this class loader started (not a dev-mode reload's: it started long ago) to listen.
     * Throws when it could not start.
     */
    static void awaitBroker(Duration wait) {
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
            awaitBroker(wait);
            return broker == null ? null : broker.getNow(null);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /**
     * From now on the broker's lifecycle events are dropped: connmon has recorded every connection through it as
     * ended by its stop. No-op when this class loader started no broker (a dev-mode reload's).
     */
    static void sealBroker() {
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
    static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * On SIGTERM the JVM runs its shutdown hooks and exits when they are done, not when main() is: Quarkus' hook
     * stops the application (connmon records its stop while the database is up, EmbeddedNodeGuard), and this one
     * waits for that, then closes the broker and the database, which main() would not get to.
     */
    private static void closeAfterQuarkus(List<AutoCloseable> started) {
        Application application = Application.currentApplication();
        if (application != null) {
            Thread stopped = new Thread(application::awaitShutdown, "connmon-await-quarkus-stop");
            stopped.setDaemon(true);
            stopped.start();
            try {
                stopped.join(QUARKUS_STOP_WAIT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeAll(started);
    }

    /** Once, from main() or the shutdown hook, whichever comes first. */
    private static void closeAll(List<AutoCloseable> started) {
        synchronized (started) {
            for (int i = started.size() - 1; i >= 0; i--) {
                try {
                    started.get(i).close();
                } catch (Exception e) {
                    // best effort on the way out
                }
            }
            started.clear();
        }
    }
}
