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
}
