package dev.connmon.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings under {@code connmon.tokens}: stream tokens (CONTRACT §12). */
@ConfigMapping(prefix = "connmon.tokens")
public interface TokenConfig {
    /** PEM (PKCS#8) RSA private key that signs tokens; created with its pair when neither file exists. */
    String signingKey();

    /** PEM public key of that pair; Quarkus verifies tokens with it (mp.jwt.verify.publickey.location). */
    String verificationKey();

    /** Lifetime of a token when the request names none. */
    @WithDefault("PT15M")
    Duration defaultTtl();

    /** The longest lifetime a request may ask for. */
    @WithDefault("PT1H")
    Duration maxTtl();
}
