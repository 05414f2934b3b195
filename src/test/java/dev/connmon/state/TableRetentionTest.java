package dev.connmon.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The growing tables stay bounded: rejected messages by count, state changes by age. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class TableRetentionTest {
    @Inject
    Pool pool;

    @Inject
    TableRetention retention;

    @Test
    void onlyTheNewestRejectionsStay() {
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("retention-" + UUID.randomUUID());
        String marker = UUID.randomUUID().toString();
        for (int i = 0; i < 5; i++) {
            TestMqtt.publishEvent(publisher, "retention", "not json " + marker + " " + i);
        }
        publisher.disconnect().join();
        // payloads are bytes, not always UTF-8 (the fuzz tests keep invalid ones): search them as escaped bytes
        await().atMost(Duration.ofSeconds(10)).until(() -> count("payload_size > 0 AND encode(payload, 'escape') LIKE '%" + marker + "%'") == 5);

        retention.trim(2).await().indefinitely();

        assertThat(count("true")).isEqualTo(2);
        assertThat(count("encode(payload, 'escape') LIKE '%" + marker + " 4'")).isEqualTo(1);
    }

    @Test
    void stateChangesOlderThanTheRetentionGo() {
        pool.query("INSERT INTO state_change (client_id, changed_at) VALUES ('old-change', now() - interval '8 days')")
                .execute().await().indefinitely();
        retention.trimChanges(java.time.Duration.ofDays(7)).await().indefinitely();
        assertThat(pool.query("SELECT count(*) FROM state_change WHERE client_id = 'old-change'").execute().await()
                .indefinitely().iterator().next().getLong(0)).isZero();
    }

    private long count(String where) {
        return pool.query("SELECT count(*) FROM rejected_message WHERE " + where).execute().await().indefinitely()
                .iterator().next().getLong(0);
    }
}
