package dev.connmon.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicFiltersTest {
    @ParameterizedTest
    @CsvSource({
        "connmon/events/#, connmon/events/dev-1, true",
        "connmon/events/#, connmon/events, true",
        "connmon/events/#, connmon/eventsX/dev-1, false",
        "connmon/events/+, connmon/events/dev-1, true",
        "connmon/events/+, connmon/events/a/b, false",
        "connmon/+/dev-1, connmon/events/dev-1, true",
        "connmon/events/dev-1, connmon/events/dev-1, true",
        "connmon/events/dev-1, connmon/events/dev-2, false",
        "$share/connmon/connmon/events/#, connmon/events/dev-1, true",
        "$share/connmon/other/#, connmon/events/dev-1, false",
        "#, $SYS/brokers, false",
        "+/brokers, $SYS/brokers, false",
        "$SYS/#, $SYS/brokers/n1/clients/c/connected, true",
        "connmon/events/+, connmon/events/, true",
    })
    void matchesAsMqttDefinesIt(String filter, String topic, boolean expected) {
        assertThat(TopicFilters.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "#, iot-2/type/+/id/+/mon, true",
        "iot-2/#, iot-2/app/+/mon, true",
        "iot-2/type/sensor/id/+/mon, iot-2/type/+/id/+/mon, true",
        "iot-2/type/+/id/+/evt/+/fmt/+, iot-2/type/+/id/+/mon, false",
        "iot-2/app/+/mon, iot-2/type/+/id/+/mon, false",
        "connmon/events/#, iot-2/type/+/id/+/mon, false",
        "iot-2/type/+/id/+/mon/#, iot-2/type/+/id/+/mon, true",
        "$share/g/iot-2/+/+/mon, iot-2/app/+/mon, true",
    })
    void overlapsWhenSomeTopicMatchesBoth(String a, String b, boolean expected) {
        assertThat(TopicFilters.overlap(a, b)).isEqualTo(expected);
        assertThat(TopicFilters.overlap(b, a)).isEqualTo(expected);
    }
}
