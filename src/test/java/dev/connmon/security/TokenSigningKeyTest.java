package dev.connmon.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The stream token key pair: created together once, the private half owner-only, read back unchanged. */
class TokenSigningKeyTest {

    @Test
    void createdOnceAsAPairAndReadBack() throws Exception {
        Path dir = Files.createTempDirectory("token-key").resolve("data");
        Path signing = dir.resolve("token-signing-key.pem");
        Path verification = dir.resolve("token-verification-key.pem");
        TokenSigningKey created = TokenSigningKey.loadOrCreate(signing, verification);
        assertThat(created.created()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(signing)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(verification)).startsWith("-----BEGIN PUBLIC KEY-----\n");

        TokenSigningKey again = TokenSigningKey.loadOrCreate(signing, verification);
        assertThat(again.created()).isFalse();
        assertThat(again.privateKey()).isEqualTo(created.privateKey());

        // what the private half signs, the public file verifies
        String[] jwt = Jwt.issuer("connmon").upn("k").sign(again.privateKey()).split("\\.");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(KeyUtils.decodePublicKey(Files.readString(verification)));
        rsa.update((jwt[0] + "." + jwt[1]).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(jwt[2]))).isTrue();
    }

    @Test
    void privateHalfNeverVisibleToOthersWhileBeingWritten() throws Exception {
        for (int round = 0; round < 10; round++) {
            Path dir = Files.createTempDirectory("token-key");
            Path signing = dir.resolve("token-signing-key.pem");
            try (FirstSeenMode seen = FirstSeenMode.of(signing)) {
                TokenSigningKey.loadOrCreate(signing, dir.resolve("token-verification-key.pem"));
                assertThat(seen.get())
                        .as("mode when it appeared, round %d", round)
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void halfAPairIsAnErrorNotANewPair() throws Exception {
        Path dir = Files.createTempDirectory("token-key");
        Path signing = dir.resolve("token-signing-key.pem");
        Path verification = dir.resolve("token-verification-key.pem");
        TokenSigningKey.loadOrCreate(signing, verification);
        Files.delete(verification);
        assertThatThrownBy(() -> TokenSigningKey.loadOrCreate(signing, verification))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("give both files");
        Files.writeString(verification, "x");
        Files.writeString(signing, "not a key");
        assertThatThrownBy(() -> TokenSigningKey.loadOrCreate(signing, verification))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not a PEM");
    }
}
