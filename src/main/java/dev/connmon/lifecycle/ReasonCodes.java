package dev.connmon.lifecycle;

/** The reason text a person reads for an event: its own, or the MQTT 5 name of its code. */
public final class ReasonCodes {
    private ReasonCodes() {}

    /** The name of a DISCONNECT reason code, or null when the code is unknown or absent. */
    public static String disconnectReason(Integer code) {
        Mqtt5DisconnectReasonCode reason = Mqtt5DisconnectReasonCode.of(code);
        return reason == null ? null : reason.text();
    }

    /** The name of a CONNACK reason code, or null when the code is unknown or absent. */
    public static String connackReason(Integer code) {
        Mqtt5ConnAckReasonCode reason = Mqtt5ConnAckReasonCode.of(code);
        return reason == null ? null : reason.text();
    }

    /** The reason text to show: the event's own if it has one, else the code's name for its event type. */
    public static String describe(EventType type, Integer code, String reason) {
        if (reason != null && !reason.isBlank()) {
            return reason;
        }
        return type == EventType.CONNECT_FAILED ? connackReason(code) : disconnectReason(code);
    }
}
