package dev.connmon.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The MQTT 5 reason codes connmon names (MQTT 5.0 §3.2.2.2, §3.14.2.1) and the text a log entry shows for them. */
class ReasonCodesTest {
    @Test
    void eachCodeIsDefinedOnceAndFoundByItsNumber() {
        for (Mqtt5DisconnectReasonCode reason : Mqtt5DisconnectReasonCode.values()) {
            assertThat(Mqtt5DisconnectReasonCode.of(reason.code())).isSameAs(reason);
        }
        for (Mqtt5ConnAckReasonCode reason : Mqtt5ConnAckReasonCode.values()) {
            assertThat(Mqtt5ConnAckReasonCode.of(reason.code())).isSameAs(reason);
        }
        assertThat(Arrays.stream(Mqtt5DisconnectReasonCode.values()).map(Mqtt5DisconnectReasonCode::code))
                .doesNotHaveDuplicates();
        assertThat(Arrays.stream(Mqtt5ConnAckReasonCode.values()).map(Mqtt5ConnAckReasonCode::code))
                .doesNotHaveDuplicates();
    }

    @Test
    void theSameNumberReadsByItsPacket() {
        assertThat(ReasonCodes.disconnectReason(0x00)).isEqualTo("Normal disconnection");
        assertThat(ReasonCodes.connackReason(0x00)).isEqualTo("Success");
        assertThat(ReasonCodes.disconnectReason(0x8D)).isEqualTo("Keep Alive timeout");
        // 0x8A is a refusal at connect only, 0x8D a disconnect only
        assertThat(ReasonCodes.disconnectReason(0x8A)).isNull();
        assertThat(ReasonCodes.connackReason(0x8D)).isNull();
        assertThat(ReasonCodes.disconnectReason(null)).isNull();
        assertThat(ReasonCodes.describe(EventType.CONNECT_FAILED, 0x86, null)).isEqualTo("Bad User Name or Password");
        assertThat(ReasonCodes.describe(EventType.DISCONNECTED, 0x8E, " ")).isEqualTo("Session taken over");
        assertThat(ReasonCodes.describe(EventType.DISCONNECTED, 0x8E, "kicked")).isEqualTo("kicked");
    }
}
