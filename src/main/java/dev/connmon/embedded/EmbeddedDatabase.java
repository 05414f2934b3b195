package dev.connmon.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * PostgreSQL 17 in a child process (zonky), its data in a directory that survives restarts, and only connmon let
 * in: every connection needs the password kept owner-only in {@code <data directory>-password} (DatabasePassword).
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final DatabasePassword password;

    private EmbeddedDatabase(EmbeddedPostgres postgres, DatabasePassword password) {
        this.postgres = postgres;
        this.password = password;
    }

    /** Starts on {@code dataDir}, keeping what is there; a fresh directory is initialised first. */
    public static EmbeddedDatabase start(Path dataDir, boolean clean) {
        return start(dataDir, clean, Map.of());
    }

    /** The same, with PostgreSQL server settings ({@code synchronous_commit=off}, …). */
    public static EmbeddedDatabase start(Path dataDir, boolean clean, Map<String, String> serverConfig) {
        return start(dataDir, clean, serverConfig, 0);
    }

    /** The same on a given port (0: any free one), for a server that must come back where its clients expect it. */
    public static EmbeddedDatabase start(Path dataDir, boolean clean, Map<String, String> serverConfig, int port) {
        return start(dataDir, clean, serverConfig, port, true);
    }

    /**
     * The same; {@code stopWithJvm} false leaves stopping it to {@link #close()} alone. zonky stops PostgreSQL in a
     * JVM shutdown hook, and shutdown hooks run at once and side by side: on SIGTERM it went while connmon was still
     * writing what its stop means (EmbeddedNodeGuard), "terminating connection due to administrator command".
     */
    public static EmbeddedDatabase start(
            Path dataDir, boolean clean, Map<String, String> serverConfig, int port, boolean stopWithJvm) {
        EmbeddedLogging.useLogback();
        try {
            Files.createDirectories(dataDir.getParent());
            if (!clean) {
                stopLeftOver(dataDir);
            }
            // zonky runs initdb when there is no postgresql.conf, or always when told to clean
            boolean fresh = clean || !Files.exists(dataDir.resolve("postgresql.conf"));
            DatabasePassword password = DatabasePassword.loadOrCreate(dataDir, fresh);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(clean)
                    .setRegisterShutdownHook(stopWithJvm);
            if (port > 0) {
                builder.setPort(port);
            }
            serverConfig.forEach(builder::setServerConfig);
            if (fresh) {
                password.initialise(builder);
            }
            password.connectWith(builder);
            EmbeddedPostgres postgres = builder.start();
            try {
                password.require(postgres, dataDir);
            } catch (IOException e) {
                postgres.close();
                throw e;
            }
            return new EmbeddedDatabase(postgres, password);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, e);
        }
    }

    /**
     * PostgreSQL runs detached from connmon (pg_ctl starts it), so a connmon killed with SIGKILL, or by the
     * out-of-memory killer, leaves it running on the data directory and the next start would fail on its lock.
     * Such a server is stopped first: its clients died with the old connmon, so a smart shutdown (SIGTERM) ends at
     * once, and PostgreSQL's own crash safety keeps everything that was committed.
     */
    static void stopLeftOver(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        String firstLine =
                Files.readAllLines(pidFile).stream().findFirst().orElse("").strip();
        if (!firstLine.matches("\\d{1,10}")) {
            return;
        }
        Optional<ProcessHandle> server = ProcessHandle.of(Long.parseLong(firstLine))
                .filter(p ->
                        p.info().command().map(c -> c.endsWith("/postgres")).orElse(false));
        if (server.isEmpty()) {
            return; // a stale file: PostgreSQL replaces it itself
        }
        System.err.printf(
                "connmon: stopping the PostgreSQL (pid %d) an earlier connmon left running on %s%n",
                server.get().pid(), dataDir);
        server.get().destroy();
        try {
            server.get().onExit().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping the PostgreSQL left running on " + dataDir, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(
                    "the PostgreSQL left running on " + dataDir + " (pid "
                            + server.get().pid() + ") did not stop within 60 s; stop it and start connmon again",
                    e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** The superuser's password; the user is {@value DatabasePassword#SUPERUSER}. */
    public String password() {
        return password.value();
    }

    /** The password of the database whose data directory is {@code dataDir}, as this class keeps it. */
    public static Path passwordFile(Path dataDir) {
        return DatabasePassword.fileFor(dataDir);
    }

    /** The JDBC URL of the {@code postgres} database, without credentials. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    /** The datasource settings that point Quarkus at this database. */
    public Map<String, String> datasourceConfig() {
        return Map.of(
                "quarkus.datasource.username",
                DatabasePassword.SUPERUSER,
                "quarkus.datasource.password",
                password.value(),
                "quarkus.datasource.reactive.url",
                "postgresql://127.0.0.1:" + port() + "/postgres",
                "quarkus.datasource.jdbc.url",
                jdbcUrl());
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
