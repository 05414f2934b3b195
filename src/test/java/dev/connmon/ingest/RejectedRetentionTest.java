package dev.connmon.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.state.RejectedRetention;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The rejected-message table keeps only its newest rows. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class RejectedRetentionTest {
    @Inject
    Pool pool;

    @Inject
    RejectedRetention retention;

    @Test
    void onlyTheNewestRejectionsStay() {
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("retention-" + UUID.randomUUID());
        String marker = UUID.randomUUID().toString();
        for (int i = 0; i < 5; i++) {
            TestMqtt.publishEvent(publisher, "retention", "not json " + marker + " " + i);
        }
        publisher.disconnect().join();
        await().atMost(Duration.ofSeconds(10)).until(() -> count("payload_size > 0 AND convert_from(payload, 'UTF8') LIKE '%" + marker + "%'") == 5);

        retention.trim(2).await().indefinitely();

        assertThat(count("true")).isEqualTo(2);
        assertThat(count("convert_from(payload, 'UTF8') LIKE '%" + marker + " 4'")).isEqualTo(1);
    }

    private long count(String where) {
        return pool.query("SELECT count(*) FROM rejected_message WHERE " + where).execute().await().indefinitely()
                .iterator().next().getLong(0);
    }
}
