package dev.connmon.security;

import dev.connmon.config.ConnmonConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.jwt.build.Jwt;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Issues stream tokens (docs/api.md §12): JWTs signed by SmallRye JWT with {@link TokenSigningKey}, naming the API key
 * (upn) and carrying roles (groups). Quarkus' smallrye-jwt extension verifies them (signature, issuer, expiry).
 */
@ApplicationScoped
public class StreamTokens {
    private final ConnmonConfig.Tokens config;
    /** The issuer Quarkus requires of every token: one setting for both ends. */
    private final String issuer;

    private volatile TokenSigningKey key;

    StreamTokens(ConnmonConfig config, @ConfigProperty(name = "mp.jwt.verify.issuer") String issuer) {
        this.config = config.tokens();
        this.issuer = issuer;
    }

    /** Early, so that the verification key exists before the first request can need it. */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        key = TokenSigningKey.loadOrCreate(Path.of(config.signingKey()), Path.of(config.verificationKey()));
        if (key.created()) {
            Log.infof(
                    "Created the key pair that signs stream tokens: %s and %s. Instances that share tokens need the "
                            + "same pair (connmon.tokens.signing-key, connmon.tokens.verification-key).",
                    key.signingFile(), key.verificationFile());
        }
    }

    public StreamToken issue(String apiKey, Set<String> roles, Duration ttl) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant expiresAt = now.plus(ttl);
        String token = Jwt.issuer(issuer)
                .upn(apiKey)
                .subject(apiKey)
                .groups(roles)
                .issuedAt(now)
                .expiresAt(expiresAt)
                .claim("jti", UUID.randomUUID().toString())
                .sign(key.privateKey());
        return new StreamToken(token, expiresAt);
    }

    public ConnmonConfig.Tokens config() {
        return config;
    }
}
