package dev.connmon.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client ids connmon connects with, which the embedded broker keeps to connmon (docs/api.md §8). */
class OwnClientIdsTest {

    @Test
    void theDefaultsAreConnmonItsMonitorAndConnmonDashEachSource() {
        assertThat(MqttSourceSettings.ownClientIds(key -> Optional.empty(), List.of("mosq", "emqx")))
                .containsExactlyInAnyOrder("connmon", "connmon-monitor", "connmon-mosq", "connmon-emqx");
    }

    @Test
    void configuredIdsReplaceTheDefaults() {
        Map<String, String> config = Map.of(
                "connmon.mqtt.client-id", "ops-monitor",
                "connmon.sources.mosq.client-id", "ops-mosq");
        assertThat(MqttSourceSettings.ownClientIds(key -> Optional.ofNullable(config.get(key)), List.of("mosq")))
                .containsExactlyInAnyOrder("ops-monitor", "ops-monitor-monitor", "ops-mosq");
    }
}
