package dev.connmon.embedded;

import dev.connmon.security.GeneratedApiKey;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * connmon's API keys (docs/api.md §5) as the embedded broker checks them (docs/api.md §8): a client whose user name is a
 * key signs in with the key's token; a key with role {@code reader} or {@code admin} may read the monitoring topics.
 * The broker starts before Quarkus, so the keys are read from the same settings Quarkus reads
 * ({@code quarkus.security.users.embedded.users.<key>} and {@code .roles.<key>}), or the generated key when none is
 * configured, exactly as {@code ApiKeyIdentityProvider} decides.
 */
public final class ApiKeys {
    public static final String USERS_PREFIX = "quarkus.security.users.embedded.users.";
    public static final String ROLES_PREFIX = "quarkus.security.users.embedded.roles.";

    /** A key's token, and whether its roles let it read monitoring topics. */
    public record Key(String token, boolean mayReadMonitoring) {}

    private ApiKeys() {}

    /** Keys from {@code key → token} and {@code key → comma-separated roles}. */
    public static Map<String, Key> of(Map<String, String> tokens, Map<String, String> roles) {
        Map<String, Key> keys = new HashMap<>();
        tokens.forEach((key, token) -> keys.put(
                key,
                new Key(
                        token,
                        Arrays.stream(roles.getOrDefault(key, "").split(","))
                                .map(String::trim)
                                .anyMatch(role -> role.equals("reader") || role.equals("admin")))));
        return Map.copyOf(keys);
    }

    static Map<String, Key> fromStartupConfig(StartupConfig config, Path dataDir) {
        Map<String, String> tokens = config.byPrefix(USERS_PREFIX);
        if (tokens.isEmpty()) {
            GeneratedApiKey generated = GeneratedApiKey.loadOrCreate(dataDir);
            return Map.of(generated.key(), new Key(generated.token(), true));
        }
        return of(tokens, config.byPrefix(ROLES_PREFIX));
    }
}
