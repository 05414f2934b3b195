package dev.connmon.ingest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/api.md §7: connmon must not read its own Watson status messages back. */
class WatsonLoopGuardTest {
    private static MqttSourceSettings source(String name, String host, int port, String dialect, String... topics) {
        return new MqttSourceSettings(
                name,
                host,
                port,
                null,
                null,
                "connmon-" + name,
                List.of(topics),
                dialect,
                false,
                null,
                false,
                "HTTPS",
                30,
                Integer.MAX_VALUE);
    }

    private static final MqttSourceSettings DEFAULT =
            source("default", "broker.example", 1883, null, "connmon/events/#");

    @Test
    void aWatsonSubscriptionOnTheBrokerConnmonPublishesToStopsStartupWithOneLine() {
        for (MqttSourceSettings reader : List.of(
                source("watson", "broker.example", 1883, null, "iot-2/type/+/id/+/mon"),
                source("all", "BROKER.example", 1883, null, "#"),
                source("fixed", "broker.example", 1883, "watson", "iot-2/#"))) {
            assertThatThrownBy(() -> WatsonLoopGuard.check(List.of(DEFAULT, reader), true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("source '" + reader.name() + "'")
                    .hasMessageContaining("connmon.monitor.watson=false")
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> WatsonLoopGuard.check(
                        List.of(source("default", "broker.example", 1883, null, "connmon/events/#", "iot-2/app/+/mon")),
                        true))
                .hasMessageContaining("source 'default'");
    }

    @Test
    void watsonTopicsOfAnotherBrokerOrWithWatsonOffOrAnotherDialectAreFine() {
        assertThatCode(() -> WatsonLoopGuard.check(
                        List.of(
                                DEFAULT,
                                source("watson", "watson.example", 1883, null, "iot-2/type/+/id/+/mon"),
                                source("other-port", "broker.example", 8883, null, "iot-2/#"),
                                source("bridged", "broker.example", 1883, "emqx", "#"),
                                source("events", "broker.example", 1883, null, "iot-2/type/+/id/+/evt/+/fmt/+")),
                        true))
                .doesNotThrowAnyException();
        assertThatCode(() -> WatsonLoopGuard.check(
                        List.of(DEFAULT, source("watson", "broker.example", 1883, null, "iot-2/type/+/id/+/mon")),
                        false))
                .doesNotThrowAnyException();
    }
}
