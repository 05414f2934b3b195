package dev.connmon.security;

import dev.connmon.config.ConnmonConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;
import org.eclipse.microprofile.config.Config;

/**
 * Authenticates the generated API key when no key is configured (docs/api.md §5). Configured keys are Quarkus
 * embedded users and are checked by Quarkus itself; this provider answers only for the generated key and
 * leaves every other user name to the next provider.
 */
@ApplicationScoped
public class ApiKeyIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {
    private static final String USERS_PREFIX = "quarkus.security.users.embedded.users.";

    private final Config config;
    private final Path dataDir;
    private volatile GeneratedApiKey generated;

    ApiKeyIdentityProvider(Config config, ConnmonConfig connmon) {
        this.config = config;
        this.dataDir = Path.of(connmon.embedded().dataDir());
    }

    void onStart(@Observes StartupEvent event) {
        if (keysConfigured()) {
            return;
        }
        generated = GeneratedApiKey.loadOrCreate(dataDir);
        Log.warnf(
                "No API key is configured: the API accepts the generated key '%s' (roles reader, admin) whose "
                        + "token is in %s. Configure your own with quarkus.security.users.embedded.users.<key>=<token>.",
                generated.key(), generated.file());
    }

    boolean keysConfigured() {
        String envPrefix = USERS_PREFIX.toUpperCase(Locale.ROOT).replace('.', '_');
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(USERS_PREFIX) || name.startsWith(envPrefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    /**
     * Runs before the embedded-users provider (priority 1001 in Quarkus 3.33; it fails rather than passes on a
     * user it does not know), and passes (null) on anything but the generated key.
     */
    @Override
    public int priority() {
        return 2 * SYSTEM_FIRST;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
        GeneratedApiKey key = generated;
        if (key == null || !key.key().equals(request.getUsername())) {
            return Uni.createFrom().nullItem();
        }
        byte[] given = new String(request.getPassword().getPassword()).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, key.token().getBytes(StandardCharsets.UTF_8))) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return Uni.createFrom()
                .item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(key.key()))
                        .addRoles(Set.of("reader", "admin"))
                        .build());
    }
}
