package dev.connmon.security;

import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.Base64;

/**
 * The RSA key pair that signs and verifies stream tokens (docs/api.md §12): two PEM files, created together at first
 * start (the private one owner-only from the start, {@link OwnerOnlyFile}) or given, so that several instances share them.
 */
public record TokenSigningKey(PrivateKey privateKey, Path signingFile, Path verificationFile, boolean created) {
    private static final int BITS = 2048;

    public static TokenSigningKey loadOrCreate(Path signingFile, Path verificationFile) {
        Path signing = signingFile.toAbsolutePath();
        Path verification = verificationFile.toAbsolutePath();
        try {
            Files.createDirectories(signing.getParent());
            // instances that start together on one data directory must not both create a pair, nor read half of one
            try (FileChannel lockFile = FileChannel.open(
                            signing.resolveSibling(signing.getFileName() + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    FileLock lock = lockFile.lock()) {
                boolean signingExists = Files.exists(signing);
                if (signingExists != Files.exists(verification)) {
                    throw new IllegalStateException(
                            "Of the stream token key pair only " + (signingExists ? signing : verification)
                                    + " exists; give both files, or delete it to have connmon create a pair");
                }
                if (!signingExists) {
                    create(signing, verification);
                }
                return new TokenSigningKey(
                        KeyUtils.decodePrivateKey(Files.readString(signing, StandardCharsets.US_ASCII)),
                        signing,
                        verification,
                        !signingExists);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the stream token key " + signing, e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException(signing + " is not a PEM (PKCS#8) RSA private key", e);
        }
    }

    private static void create(Path signing, Path verification) throws IOException, GeneralSecurityException {
        KeyPair pair = KeyUtils.generateKeyPair(BITS);
        Files.createDirectories(verification.getParent());
        OwnerOnlyFile.create(
                signing, pem("PRIVATE KEY", pair.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII));
        Files.writeString(
                verification,
                pem("PUBLIC KEY", pair.getPublic().getEncoded()),
                StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE_NEW);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
