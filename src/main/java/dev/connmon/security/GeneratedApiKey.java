package dev.connmon.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * The API key connmon makes for itself when none is configured, so that it never runs open: created once in
 * the data directory (owner-only from the start, {@link OwnerOnlyFile}) and read back on every start.
 */
public record GeneratedApiKey(String key, String token, Path file) {
    static final String FILE_NAME = "api-key.properties";

    public static GeneratedApiKey loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        try {
            if (Files.exists(file)) {
                Properties properties = new Properties();
                try (InputStream in = Files.newInputStream(file)) {
                    properties.load(in);
                }
                String key = properties.getProperty("key");
                String token = properties.getProperty("token");
                if (key != null && token != null && !key.isBlank() && !token.isBlank()) {
                    return new GeneratedApiKey(key, token, file);
                }
                throw new IllegalStateException(file + " holds no key and token; delete it to get a new key");
            }
            Files.createDirectories(file.getParent());
            GeneratedApiKey created = new GeneratedApiKey("a-" + random(6), random(24), file);
            Properties properties = new Properties();
            properties.setProperty("key", created.key());
            properties.setProperty("token", created.token());
            properties.setProperty("roles", "reader,admin");
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            properties.store(
                    content,
                    "connmon API key, generated because none was configured. Use it as HTTP Basic "
                            + "credentials (key as user name, token as password). Configure your own keys with "
                            + "quarkus.security.users.embedded.users.<key>=<token>.");
            OwnerOnlyFile.create(file, content.toByteArray());
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the API key file " + file, e);
        }
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        new SecureRandom().nextBytes(value);
        return HexFormat.of().formatHex(value);
    }
}
