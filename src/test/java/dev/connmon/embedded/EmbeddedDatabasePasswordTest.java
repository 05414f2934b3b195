package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL admits only connmon: another local user, without the password, is refused on the loopback
 * interface and on the unix socket; a data directory from a connmon that trusted everyone is brought to the same.
 */
class EmbeddedDatabasePasswordTest {
    /** PostgreSQL's AuthenticationOk: let in without a password. */
    private static final int AUTH_OK = 0;
    /** AuthenticationSASL: asked for a SCRAM exchange, i.e. a password. */
    private static final int AUTH_SASL = 10;

    @Test
    void aNewDatabaseRefusesConnectionsWithoutThePassword() throws Exception {
        Path dir = Files.createTempDirectory("embedded-pg");
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("postgres"), false)) {
            assertAdmitsOnlyWithPassword(database);
            Path file = EmbeddedDatabase.passwordFile(dir.resolve("postgres"));
            assertThat(Files.readString(file).strip()).isEqualTo(database.password());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
        }
        // and again after a restart, with the same password
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dir.resolve("postgres"), false)) {
            assertAdmitsOnlyWithPassword(database);
        }
    }

    @Test
    void aDataDirectoryThatTrustedEveryoneIsUpgraded() throws Exception {
        Path dataDir = Files.createTempDirectory("embedded-pg").resolve("postgres");
        // as an older connmon made it: zonky's defaults, every local connection trusted
        try (EmbeddedPostgres old = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        .start();
                Connection db = DriverManager.getConnection(old.getJdbcUrl("postgres", "postgres"));
                Statement statement = db.createStatement()) {
            statement.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from before')");
        }
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, false)) {
            assertAdmitsOnlyWithPassword(database);
            assertThat(Files.readString(dataDir.resolve("pg_hba.conf"))).doesNotContainPattern("(?m)^[^#]*trust");
            try (Connection db = connect(database, database.password());
                    ResultSet kept = db.createStatement().executeQuery("SELECT v FROM kept")) {
                assertThat(kept.next()).isTrue();
                assertThat(kept.getString(1)).isEqualTo("from before");
            }
        }
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDir, false)) {
            assertAdmitsOnlyWithPassword(database);
        }
    }

    @Test
    void aLostPasswordIsAClearErrorNotANewPassword() throws Exception {
        Path dataDir = Files.createTempDirectory("embedded-pg").resolve("postgres");
        EmbeddedDatabase.start(dataDir, false).close();
        Files.delete(EmbeddedDatabase.passwordFile(dataDir));
        assertThatThrownBy(() -> EmbeddedDatabase.start(dataDir, false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("which is missing");
    }

    private static void assertAdmitsOnlyWithPassword(EmbeddedDatabase database) throws Exception {
        assertThatThrownBy(() -> connect(database, null).close()).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> connect(database, "postgres").close())
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("password authentication failed");
        String socketDirectory;
        try (Connection db = connect(database, database.password());
                ResultSet rows = db.createStatement().executeQuery("SHOW unix_socket_directories")) {
            rows.next();
            socketDirectory = rows.getString(1).split(",")[0].strip();
        }
        Path socket = Path.of(socketDirectory, ".s.PGSQL." + database.port());
        assertThat(socket).exists();
        assertThat(authenticationRequest(socket))
                .as("what the unix socket %s asks of a client without a password", socket)
                .isEqualTo(AUTH_SASL);
    }

    private static Connection connect(EmbeddedDatabase database, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        if (password != null) {
            properties.setProperty("password", password);
        }
        return DriverManager.getConnection(database.jdbcUrl(), properties);
    }

    /**
     * Sends a protocol 3.0 startup message for user postgres over the unix socket and returns the server's
     * authentication request: {@value #AUTH_OK} lets the client in, {@value #AUTH_SASL} asks for the password.
     */
    private static int authenticationRequest(Path socket) throws IOException {
        byte[] parameters = "user\0postgres\0database\0postgres\0\0".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer startup = ByteBuffer.allocate(8 + parameters.length);
        startup.putInt(8 + parameters.length).putInt(196608).put(parameters).flip();
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            while (startup.hasRemaining()) {
                channel.write(startup);
            }
            ByteBuffer answer = ByteBuffer.allocate(9);
            while (answer.hasRemaining() && channel.read(answer) >= 0) {
                // until the type, length and request code are in
            }
            answer.flip();
            assertThat((char) answer.get())
                    .as("message type (R: authentication request)")
                    .isEqualTo('R');
            answer.getInt();
            return answer.getInt();
        }
    }
}
