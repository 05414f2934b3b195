package dev.connmon.embedded;

import io.quarkus.runtime.Application;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
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

    private static final long QUARKUS_STOP_WAIT_MS = 30_000;
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
                started.add(BrokerLaunch.start(config, dataDir));
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
