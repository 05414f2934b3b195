package dev.connmon.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Configuration as seen before Quarkus starts, with Quarkus' precedence: system properties, then environment
 * variables (MicroProfile names), then {@code config/application.properties} in the working directory, then the
 * packaged {@code application.properties}. Profile-specific keys are not considered here.
 */
final class StartupConfig {
    private final Properties packaged = new Properties();
    private final Properties local = new Properties();

    StartupConfig() {
        try (InputStream in = StartupConfig.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                packaged.load(in);
            }
            Path file = Path.of("config", "application.properties");
            if (Files.isReadable(file)) {
                try (InputStream localIn = Files.newInputStream(file)) {
                    local.load(localIn);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Optional<String> get(String key) {
        String value = System.getProperty(key);
        if (value == null) {
            value = System.getenv(envName(key));
        }
        if (value == null) {
            value = local.getProperty(key);
        }
        if (value == null) {
            value = packaged.getProperty(key);
        }
        return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
    }

    String get(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    /** Entries under {@code prefix} ({@code connmon.embedded.users.} → name → value) from every source. */
    Map<String, String> byPrefix(String prefix) {
        Map<String, String> entries = new HashMap<>();
        putByPrefix(entries, packaged, prefix);
        putByPrefix(entries, local, prefix);
        String envPrefix = envName(prefix);
        System.getenv().forEach((name, value) -> {
            if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                entries.put(name.substring(envPrefix.length()).toLowerCase(Locale.ROOT), value);
            }
        });
        putByPrefix(entries, System.getProperties(), prefix);
        return entries;
    }

    private static void putByPrefix(Map<String, String> entries, Properties source, String prefix) {
        for (String name : source.stringPropertyNames()) {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                entries.put(name.substring(prefix.length()), source.getProperty(name));
            }
        }
    }

    static String envName(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            out.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return out.toString();
    }
}
