package dev.connmon.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/** The key connmon makes for itself: created once, owner-only, read back unchanged. */
class GeneratedApiKeyTest {

    @Test
    void createdOnceAndReadBack() throws Exception {
        Path dir = Files.createTempDirectory("api-key").resolve("data");
        GeneratedApiKey created = GeneratedApiKey.loadOrCreate(dir);
        assertThat(created.key()).startsWith("a-");
        assertThat(created.token()).hasSize(48);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created.file())))
                .isEqualTo("rw-------");

        GeneratedApiKey again = GeneratedApiKey.loadOrCreate(dir);
        assertThat(again).isEqualTo(created);
    }

    @Test
    void neverVisibleToOthersWhileBeingWritten() throws Exception {
        for (int round = 0; round < 100; round++) {
            Path dir = Files.createTempDirectory("api-key");
            try (FirstSeenMode seen = FirstSeenMode.of(dir.resolve(GeneratedApiKey.FILE_NAME))) {
                GeneratedApiKey.loadOrCreate(dir);
                assertThat(seen.get())
                        .as("mode when it appeared, round %d", round)
                        .isEqualTo("rw-------");
            }
        }
    }

    @Test
    void aDamagedFileIsAnErrorNotANewKey() throws Exception {
        Path dir = Files.createTempDirectory("api-key");
        Files.writeString(dir.resolve("api-key.properties"), "key=\n");
        assertThatThrownBy(() -> GeneratedApiKey.loadOrCreate(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("delete it");
    }
}
