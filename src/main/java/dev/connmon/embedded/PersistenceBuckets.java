package dev.connmon.embedded;

import com.hivemq.configuration.service.InternalConfigurations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How many buckets each of HiveMQ's five persistences (sessions, subscriptions, queues, retained messages, payloads)
 * is split into. HiveMQ's 64 is sized for a many-core cluster node: each bucket is a store of its own, opened one by one
 * at start, and 320 of them took about a third of connmon's start. A bucket is only a unit of parallel writing (HiveMQ
 * writes each from one queue, at most one queue per core), so four per core are enough: 8 on two cores, 64 from 16
 * cores up, on a new data directory. HiveMQ places a client by its hash modulo the count, so a
 * data directory keeps the count it was created with: an existing one is opened with as many buckets as it has.
 */
final class PersistenceBuckets {
    private static final int PER_CORE = 4;
    private static final int MIN = 8;
    private static final int MAX = 64;
    /** The store whose bucket directories are counted; every persistence has the same count. */
    private static final String SESSIONS = "persistence/client_session_store";

    private PersistenceBuckets() {}

    static void use(Path dataFolder) {
        int buckets = existing(dataFolder.resolve(SESSIONS));
        if (buckets == 0) {
            buckets = forCores(Runtime.getRuntime().availableProcessors());
        }
        InternalConfigurations.PERSISTENCE_BUCKET_COUNT.set(buckets);
        InternalConfigurations.PAYLOAD_PERSISTENCE_BUCKET_COUNT.set(buckets);
    }

    /** A power of two, so that HiveMQ's queues (one per core) divide the buckets evenly. */
    static int forCores(int cores) {
        int wanted = Math.max(MIN, Math.min(MAX, PER_CORE * cores));
        return Integer.highestOneBit(wanted - 1) << 1;
    }

    /** The buckets of a store written before ({@code <version>/client_session_store_<n>}), 0 when there is none. */
    static int existing(Path store) {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> versions = Files.list(store)) {
            return versions.filter(Files::isDirectory)
                    .mapToInt(PersistenceBuckets::bucketsIn)
                    .max()
                    .orElse(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedded broker's data in " + store, e);
        }
    }

    private static int bucketsIn(Path version) {
        try (Stream<Path> buckets = Files.list(version)) {
            return (int) buckets.filter(b -> b.getFileName().toString().startsWith("client_session_store_"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedded broker's data in " + version, e);
        }
    }
}
