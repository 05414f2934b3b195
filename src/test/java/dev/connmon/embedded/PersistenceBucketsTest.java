package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded broker's bucket count: a few per core on a new data directory, what it has on an existing one. */
class PersistenceBucketsTest {
    @Test
    void aNewDataDirectoryGetsFourBucketsPerCoreAsAPowerOfTwoFrom8To64() {
        assertThat(PersistenceBuckets.forCores(1)).isEqualTo(8);
        assertThat(PersistenceBuckets.forCores(2)).isEqualTo(8);
        assertThat(PersistenceBuckets.forCores(3)).isEqualTo(16);
        assertThat(PersistenceBuckets.forCores(4)).isEqualTo(16);
        assertThat(PersistenceBuckets.forCores(6)).isEqualTo(32);
        assertThat(PersistenceBuckets.forCores(16)).isEqualTo(64);
        assertThat(PersistenceBuckets.forCores(96)).isEqualTo(64);
    }

    @Test
    void anExistingDataDirectoryKeepsItsCount(@TempDir Path data) throws IOException {
        Path store = data.resolve("persistence/client_session_store");
        assertThat(PersistenceBuckets.existing(store)).isZero();
        for (int i = 0; i < 64; i++) {
            Files.createDirectories(store.resolve("040000").resolve("client_session_store_" + i));
        }
        Files.createDirectories(store.resolve("030100").resolve("client_session_store_0"));
        assertThat(PersistenceBuckets.existing(store)).isEqualTo(64);
    }
}
