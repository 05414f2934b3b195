package dev.connmon.embedded;

import dev.connmon.security.OwnerOnlyFile;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.regex.Pattern;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The embedded PostgreSQL admits only who knows its superuser's password (scram-sha-256), over the loopback
 * interface and the unix socket alike. zonky's own default trusts every local connection: any user of the machine
 * could sign in as {@code postgres}, read and change connmon's data, and run commands as the database's OS user
 * ({@code COPY … TO PROGRAM}). The password is made at first start and kept owner-only beside the data directory.
 */
final class DatabasePassword {
    static final String SUPERUSER = "postgres";
    private static final Pattern TRUST = Pattern.compile("(?m)^[^#]*\\strust(\\s|$)");
    private static final String HBA = """
            # connmon's embedded PostgreSQL: every connection signs in with the password connmon keeps beside this
            # data directory (scram-sha-256); nothing is trusted, neither the unix socket nor the loopback interface.
            local   all             all                     scram-sha-256
            host    all             all     127.0.0.1/32    scram-sha-256
            host    all             all     ::1/128         scram-sha-256
            local   replication     all                     scram-sha-256
            host    replication     all     127.0.0.1/32    scram-sha-256
            host    replication     all     ::1/128         scram-sha-256
            """;
    private static final long REQUIRED_WITHIN_MS = 10_000;

    private final String value;
    private final Path file;

    private DatabasePassword(String value, Path file) {
        this.value = value;
        this.file = file;
    }

    /** The file that keeps the password of the cluster in {@code dataDir}: {@code <dataDir>-password}. */
    static Path fileFor(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + "-password");
    }

    /**
     * The password of the cluster in {@code dataDir}, made now for a cluster that has none yet: a new one, or one an
     * older connmon made, which trusts every local connection ({@link #require} then sets it).
     */
    static DatabasePassword loadOrCreate(Path dataDir, boolean fresh) throws IOException {
        Path file = fileFor(dataDir).toAbsolutePath();
        if (Files.exists(file)) {
            String value = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (value.isEmpty()) {
                throw new IllegalStateException(file + " holds no password; restore it from a backup");
            }
            return new DatabasePassword(value, file);
        }
        if (!fresh && !trusts(dataDir)) {
            throw new IllegalStateException("The password of the embedded PostgreSQL in " + dataDir + " was kept in "
                    + file + ", which is missing: restore it, or let one start in with 'local all postgres trust' "
                    + "in its pg_hba.conf, and connmon sets a new password");
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        OwnerOnlyFile.create(file, (value + "\n").getBytes(StandardCharsets.US_ASCII));
        return new DatabasePassword(value, file);
    }

    String value() {
        return value;
    }

    Path file() {
        return file;
    }

    /**
     * A new cluster gets the password from initdb. zonky passes its "locale config" to initdb as {@code --key=value}
     * options after its own {@code -A trust}, and initdb takes the last {@code --auth}.
     */
    void initialise(EmbeddedPostgres.Builder builder) {
        builder.setLocaleConfig("auth", "scram-sha-256");
        builder.setLocaleConfig("pwfile", file.toString());
    }

    /** zonky's readiness check and every connection of connmon sign in with it. */
    void connectWith(EmbeddedPostgres.Builder builder) {
        builder.setConnectConfig("password", value);
    }

    /**
     * A cluster an older connmon made trusts every local connection: the password is set while that still lets
     * connmon in, then pg_hba.conf is replaced and reloaded, and connmon goes on only once a connection without the
     * password is refused.
     */
    void require(EmbeddedPostgres postgres, Path dataDir) throws IOException {
        if (!trusts(dataDir)) {
            return;
        }
        System.err.printf(
                "connmon: the embedded PostgreSQL in %s trusted every local user; it now requires the password in %s%n",
                dataDir, file);
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("SET password_encryption = 'scram-sha-256'");
            // the value is base64url (no quote can occur); ALTER ROLE takes no bind parameters
            statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + value.replace("'", "''") + "'");
            Path next = dataDir.resolve("pg_hba.conf.connmon");
            Files.deleteIfExists(next);
            OwnerOnlyFile.create(next, HBA.getBytes(StandardCharsets.US_ASCII));
            Files.move(next, dataDir.resolve("pg_hba.conf"), StandardCopyOption.REPLACE_EXISTING);
            statement.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IOException("cannot set the password of the embedded PostgreSQL in " + dataDir, e);
        }
        awaitRefusalWithoutPassword(postgres.getPort(), dataDir);
    }

    /** pg_reload_conf() only signals the server: the new rules apply a moment later (or never, if they are bad). */
    private static void awaitRefusalWithoutPassword(int port, Path dataDir) throws IOException {
        long deadline = System.currentTimeMillis() + REQUIRED_WITHIN_MS;
        while (System.currentTimeMillis() < deadline) {
            try (Connection ignored = withoutPassword(port).getConnection()) {
                Thread.sleep(50);
            } catch (SQLException refused) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the embedded PostgreSQL reloaded its pg_hba.conf", e);
            }
        }
        throw new IOException("the embedded PostgreSQL in " + dataDir
                + " still lets connections in without a password after reloading pg_hba.conf; see its log");
    }

    private static PGSimpleDataSource withoutPassword(int port) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setServerNames(new String[] {"127.0.0.1"});
        source.setPortNumbers(new int[] {port});
        source.setDatabaseName("postgres");
        source.setUser(SUPERUSER);
        return source;
    }

    private static boolean trusts(Path dataDir) throws IOException {
        Path hba = dataDir.resolve("pg_hba.conf");
        return Files.exists(hba) && TRUST.matcher(Files.readString(hba)).find();
    }
}
