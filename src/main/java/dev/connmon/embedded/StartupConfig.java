package dev.connmon.embedded;

import io.quarkus.runtime.LaunchMode;
import io.smallrye.config.DotEnvConfigSourceProvider;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration as seen before Quarkus starts, the embedded PostgreSQL and broker being started first: SmallRye
 * Config's own sources in Quarkus' order (system properties, environment variables, {@code .env},
 * {@code config/application.properties} in the working directory, the packaged {@code application.properties}), its
 * {@code ${…}} expansion and the active profile, so that a key reads here as Quarkus will read it.
 */
final class StartupConfig {
    private final SmallRyeConfig config;

    StartupConfig() {
        config = new SmallRyeConfigBuilder()
                .addSystemSources()
                .addPropertiesSources()
                .withSources(new DotEnvConfigSourceProvider())
                .addDefaultInterceptors()
                .withProfile(profile())
                .build();
    }

    /** {@code quarkus.profile} as a system property or environment variable, else the launch mode's. */
    private static String profile() {
        return Optional.ofNullable(System.getProperty("quarkus.profile"))
                .or(() -> Optional.ofNullable(System.getenv("QUARKUS_PROFILE")))
                .orElse(LaunchMode.current().getDefaultProfile());
    }

    Optional<String> get(String key) {
        return config.getOptionalValue(key, String.class).map(String::trim).filter(v -> !v.isEmpty());
    }

    String get(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    /**
     * Entries under {@code prefix} ({@code connmon.embedded.users.} → name → value), each with the value Quarkus will
     * see. An environment variable gives no dots to split on: {@code CONNMON_EMBEDDED_USERS_ALICE} is entry
     * {@code alice}.
     */
    Map<String, String> byPrefix(String prefix) {
        Map<String, String> entries = new HashMap<>();
        String envPrefix = envName(prefix);
        for (String name : config.getPropertyNames()) {
            String entry = name.startsWith(prefix)
                    ? name.substring(prefix.length())
                    : name.startsWith(envPrefix)
                            ? name.substring(envPrefix.length()).toLowerCase(Locale.ROOT)
                            : "";
            if (!entry.isEmpty()) {
                config.getOptionalValue(name, String.class).ifPresent(value -> entries.put(entry, value));
            }
        }
        return entries;
    }

    static String envName(String key) {
        StringBuilder out = new StringBuilder(key.length());
        for (char c : key.toCharArray()) {
            out.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return out.toString();
    }
}
