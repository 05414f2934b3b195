package dev.connmon.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The log's dedup keys are stored: a redelivery after an upgrade must meet the row an older connmon wrote, so the
 * per-thread digest has to give exactly {@link UUID#nameUUIDFromBytes}'s keys.
 */
class DedupKeyTest {
    @Test
    void theDigestPerThreadGivesTheJdksNameUuids() {
        Random random = new Random(23);
        for (int i = 0; i < 100_000; i++) {
            byte[] name = new byte[random.nextInt(200)];
            random.nextBytes(name);
            assertThat(BatchStatement.nameUuid(name)).isEqualTo(UUID.nameUUIDFromBytes(name));
        }
    }

    @Test
    void anEventsKeyIsTheOneEarlierVersionsStored() {
        LifecycleEvent connect = LifecycleEvent.builder(
                        EventType.CONNECTED, "d:acme:sensor:1", Instant.parse("2026-12-01T10:00:00.123Z"))
                .connectionId("c-1")
                .ipAddress("10.0.0.7")
                .port(51234)
                .build();
        String identity = String.join("\u0000", "connected", "1796119200123", "c-1", "", "null", "10.0.0.7", "51234");
        assertThat(BatchStatement.dedupKey(connect))
                .isEqualTo(UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)));
    }
}
