package dev.connmon.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded PostgreSQL admits only who knows its password. Tests' helpers are handed a JDBC URL; this holds the
 * password of each database a test started (by port), so that they can sign in as connmon does. A database it does
 * not know (the machine's own, with {@code -Pmachine-services}) gets the machine's credentials, postgres/postgres.
 */
public final class TestDatabases {
    public static final String USER = "postgres";
    private static final Pattern PORT = Pattern.compile("^jdbc:postgresql://[^/:]+:(\\d+)/");
    private static final Map<Integer, Path> PASSWORD_FILES = new ConcurrentHashMap<>();
    private static final Map<Integer, String> PASSWORDS = new ConcurrentHashMap<>();

    private TestDatabases() {}

    /** Remembers the password of the database {@code datasourceConfig} points at; returns the config. */
    public static Map<String, String> remember(Map<String, String> datasourceConfig) {
        PASSWORDS.put(
                port(datasourceConfig.get("quarkus.datasource.jdbc.url")),
                datasourceConfig.get("quarkus.datasource.password"));
        return datasourceConfig;
    }

    /** A database a packaged connmon starts on {@code port}: its password is read from the file when needed. */
    public static void rememberFile(int port, Path passwordFile) {
        PASSWORD_FILES.put(port, passwordFile);
    }

    public static String password(String jdbcUrl) throws SQLException {
        int port = port(jdbcUrl);
        String password = PASSWORDS.get(port);
        if (password != null) {
            return password;
        }
        Path file = PASSWORD_FILES.get(port);
        if (file == null) {
            return "postgres";
        }
        try {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new SQLException("no password yet for the database on port " + port + ": " + e);
        }
    }

    public static Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, USER, password(jdbcUrl));
    }

    private static int port(String jdbcUrl) {
        Matcher matcher = PORT.matcher(jdbcUrl);
        if (!matcher.find()) {
            throw new IllegalArgumentException("no port in " + jdbcUrl);
        }
        return Integer.parseInt(matcher.group(1));
    }
}
