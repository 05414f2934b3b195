package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** docs/api.md §8: which subscriptions name monitoring topics (refused) and which topics are monitoring topics. */
class MonitorTopicsTest {
    private static final List<String> DEFAULT = MonitorTopics.filters("connmon/clients/{clientId}/state");

    @ParameterizedTest
    @CsvSource({
        "connmon/clients/#, true",
        "connmon/clients/+/state, true",
        "connmon/clients/d:acme:sensor:1/state, true",
        "iot-2/type/+/id/+/mon, true",
        "iot-2/type/sensor/id/s1/mon, true",
        "iot-2/app/+/mon, true",
        "connmon/alerts/#, true",
        "connmon/alerts, true",
        "$share/g/connmon/clients/#, true",
        "#, false",
        "iot-2/#, false",
        "+/clients/#, false",
        "iot-2/type/+/id/+/+, false",
        "iot-2/type/+/id/+/evt/+/fmt/+, false",
        "sensors/#, false",
    })
    void aFilterNamesMonitoringTopicsOnlyWhenEveryTopicItMatchesIsOne(String filter, boolean names) {
        assertThat(MonitorTopics.namesOnlyMonitoring(DEFAULT, filter)).isEqualTo(names);
    }

    @ParameterizedTest
    @CsvSource({
        "connmon/clients/d%3Aodd%2Fid/state, true",
        "iot-2/type/sensor/id/s1/mon, true",
        "iot-2/app/watcher/mon, true",
        "connmon/alerts/offline/d:acme:sensor:1, true",
        "iot-2/type/sensor/id/s1/evt/status/fmt/json, false",
        "sensors/s1, false",
    })
    void topics(String topic, boolean monitoring) {
        assertThat(MonitorTopics.isMonitoring(DEFAULT, topic)).isEqualTo(monitoring);
    }

    @ParameterizedTest
    @CsvSource({
        "fleet/{clientId}/status, fleet/+/status",
        "status/all, status/all",
        "connmon/fleet/{clientId}, connmon/fleet/#"
    })
    void aCustomTemplatesTopicsAreMonitoring(String template, String expected) {
        assertThat(MonitorTopics.filters(template)).startsWith(expected);
    }
}
