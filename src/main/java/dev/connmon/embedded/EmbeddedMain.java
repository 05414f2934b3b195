package dev.connmon.embedded;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * connmon's entry point on the JVM: starts the embedded PostgreSQL when no database is configured and the
 * embedded broker when no broker is, points Quarkus at them, then runs the application. The native build leaves
 * this package out and runs Quarkus' own main, with database and broker always configured.
 */
@QuarkusMain
public final class EmbeddedMain {
    /** Dev mode calls main() again on every live reload; the embedded services must start only once. */
    private static final String STARTED = "connmon.embedded.started";
    static final String SYSTEM_USERNAME = "connmon-system";

    public static void main(String... args) {
        List<AutoCloseable> started = new ArrayList<>();
        if (System.getProperty(STARTED) == null) {
            System.setProperty(STARTED, "true");
            try {
                startEmbedded(new StartupConfig(), started);
            } catch (IllegalStateException e) {
                System.err.println("connmon: " + e.getMessage());
                closeAll(started);
                System.exit(1);
            }
        }
        try {
            Quarkus.run(args);
        } finally {
            closeAll(started);
        }
    }

    private static void startEmbedded(StartupConfig config, List<AutoCloseable> started) {
        Path dataDir = Path.of(config.get("connmon.embedded.data-dir", "connmon-data")).toAbsolutePath();
        if (config.get("quarkus.datasource.reactive.url").isEmpty()) {
            // zonky starts PostgreSQL for throw-away test databases (fsync and synchronous commit off); connmon's data
            // must survive a crash of PostgreSQL itself (the out-of-memory killer) and of the machine
            EmbeddedDatabase database = EmbeddedDatabase.start(dataDir.resolve("postgres"), false,
                    Map.of("fsync", "on", "synchronous_commit", "on"),
                    Integer.parseInt(config.get("connmon.embedded.database-port", "0")));
            started.add(database);
            database.datasourceConfig().forEach(System::setProperty);
            System.err.printf("connmon: embedded PostgreSQL on 127.0.0.1:%d, data in %s%n", database.port(),
                    dataDir.resolve("postgres"));
        }
        if (config.get("connmon.mqtt.host").isEmpty()) {
            String password = randomSecret();
            String monitorAccess = config.get("connmon.embedded.monitor-access", "api-keys");
            if (!monitorAccess.equals("api-keys") && !monitorAccess.equals("anyone")) {
                throw new IllegalStateException("connmon.embedded.monitor-access is '" + monitorAccess
                        + "': use api-keys (only API-key connections read monitoring topics) or anyone");
            }
            BrokerSettings settings = new BrokerSettings(
                    config.get("connmon.embedded.broker-host", "127.0.0.1"),
                    Integer.parseInt(config.get("connmon.embedded.broker-port", "1883")),
                    Boolean.parseBoolean(config.get("connmon.embedded.anonymous", "true")),
                    config.byPrefix("connmon.embedded.users."),
                    SYSTEM_USERNAME,
                    password,
                    config.get("connmon.canonical.topic-prefix", "connmon/events/"),
                    "embedded",
                    dataDir.resolve("broker"),
                    ApiKeys.fromStartupConfig(config, dataDir),
                    monitorAccess.equals("anyone"),
                    MonitorTopics.filters(config.get("connmon.monitor.topic", "connmon/clients/{clientId}/state")),
                    activityWindow(config));
            started.add(new EmbeddedBroker(settings).start());
            System.setProperty("connmon.mqtt.host", settings.host());
            System.setProperty("connmon.mqtt.port", Integer.toString(settings.port()));
            System.setProperty("connmon.mqtt.username", SYSTEM_USERNAME);
            System.setProperty("connmon.mqtt.password", password);
            System.err.printf("connmon: embedded MQTT broker (3.1.1 and 5) on %s:%d%n", settings.host(),
                    settings.port());
        }
    }

    private static Duration activityWindow(StartupConfig config) {
        String value = config.get("connmon.activity.window", "PT1S");
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("connmon.activity.window '" + value + "' is not an ISO 8601 duration (PT1S)");
        }
    }

    /** connmon's own broker password lives only in this process. */
    static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static void closeAll(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // best effort on the way out
            }
        }
    }
}
