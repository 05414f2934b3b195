package dev.connmon.lifecycle.dialect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Payloads without a topic to tell their dialect (Kafka records): recognised from their fields, and decoded. */
class KafkaPayloadsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String KAFKA_TOPIC = "connmon.lifecycle/0/42";
    private final EmqxDialect emqx = new EmqxDialect(MAPPER);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"event\":\"connected\",\"clientId\":\"a\",\"time\":\"2026-12-01T00:00:00Z\"}|connmon",
                "{\"clientId\":\"a\",\"time\":1,\"event\":\"published\"}|connmon",
                "{\"event\":\"client.connected\",\"clientid\":\"a\"}|emqx",
                "{\"nested\":{\"eventType\":\"x\"},\"event\":\"session.subscribed\"}|emqx",
                "{\"clientId\":\"a\",\"timestamp\":1,\"eventType\":\"connected\"}|aws"
            })
    void eachShapeIsRecognisedByItsFields(String payload, String dialect) {
        assertThat(PayloadShape.dialectOf(bytes(payload))).contains(dialect);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{not json",
                "[1,2,3]",
                "\"event\"",
                "{\"hello\":\"world\"}",
                "{\"event\":42}",
                "{\"nested\":{\"event\":\"connected\"}}",
                "{\"a\":[{\"eventType\":1}]"
            })
    void otherPayloadsHaveNoDialect(String payload) {
        assertThat(PayloadShape.dialectOf(bytes(payload))).isEqualTo(Optional.empty());
    }

    @Test
    void emqxRuleEventsDecodeWithoutASystemTopic() throws Exception {
        LifecycleEvent connected = one("""
                {"event":"client.connected","clientid":"c1","username":"u","peername":"[2001:db8::7]:50112",
                 "proto_ver":5,"keepalive":30,"clean_start":false,"connected_at":1764547200000,
                 "timestamp":1764547200001,"node":"emqx@10.0.0.1"}""");
        assertThat(connected.type()).isEqualTo(EventType.CONNECTED);
        assertThat(connected.time()).isEqualTo(Instant.ofEpochMilli(1764547200000L));
        assertThat(connected.ipAddress()).isEqualTo("2001:db8::7");
        assertThat(connected.port()).isEqualTo(50112);
        assertThat(connected.protocolVersion()).isEqualTo("5.0");
        assertThat(connected.node()).isEqualTo("emqx@10.0.0.1");
        assertThat(connected.connectionId()).isEqualTo("emqx:1764547200000");

        LifecycleEvent disconnected = one("""
                {"event":"client.disconnected","clientid":"c1","reason":"takenover","peername":"192.0.2.1:1",
                 "connected_at":1764547200000,"disconnected_at":1764547260000}""");
        assertThat(disconnected.type()).isEqualTo(EventType.DISCONNECTED);
        assertThat(disconnected.initiator()).isEqualTo(Initiator.SERVER);
        assertThat(disconnected.reasonCode()).isEqualTo(0x8E);
        assertThat(disconnected.connectionId()).isEqualTo("emqx:1764547200000");

        LifecycleEvent refused = one("""
                {"event":"client.connack","clientid":"c2","reason_code":"bad_username_or_password",
                 "timestamp":1764547200000}""");
        assertThat(refused.type()).isEqualTo(EventType.CONNECT_FAILED);
        assertThat(refused.reasonCode()).isEqualTo(0x86);

        LifecycleEvent subscribed = one("""
                {"event":"session.subscribed","clientid":"c1","topic":"cmd/c1","timestamp":1764547200500}""");
        assertThat(subscribed.type()).isEqualTo(EventType.SUBSCRIBED);
        assertThat(subscribed.topic()).isEqualTo("cmd/c1");

        assertThat(emqx.decode(
                        KAFKA_TOPIC,
                        bytes("{\"event\":\"client.connack\",\"clientid\":\"c1\",\"reason_code\":\"success\","
                                + "\"timestamp\":1}")))
                .isEmpty();
    }

    @Test
    void emqxRuleEventsWithoutWhatTheyNeedAreRefusedWithAReason() {
        assertThatThrownBy(() -> emqx.decode(KAFKA_TOPIC, bytes("{\"event\":\"client.connected\",\"connected_at\":1}")))
                .isInstanceOf(DecodeException.class)
                .hasMessage("no client id in the payload or the topic");
        assertThatThrownBy(() -> emqx.decode(
                        KAFKA_TOPIC, bytes("{\"event\":\"client.exploded\",\"clientid\":\"c\",\"timestamp\":1}")))
                .isInstanceOf(DecodeException.class)
                .hasMessage("unknown EMQX event 'exploded'");
        assertThatThrownBy(() -> emqx.decode(KAFKA_TOPIC, bytes("{\"event\":\"client.connack\",\"clientid\":\"c\"}")))
                .isInstanceOf(DecodeException.class);
    }

    private LifecycleEvent one(String payload) throws DecodeException {
        List<LifecycleEvent> events = emqx.decode(KAFKA_TOPIC, bytes(payload));
        assertThat(events).hasSize(1);
        return events.get(0);
    }
}
