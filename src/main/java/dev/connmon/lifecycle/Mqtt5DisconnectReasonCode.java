package dev.connmon.lifecycle;

import java.util.HashMap;
import java.util.Map;

/** The reason codes of an MQTT 5 DISCONNECT (MQTT 5.0 §3.14.2.1), by the specification's names. */
public enum Mqtt5DisconnectReasonCode {
    NORMAL_DISCONNECTION(0x00, "Normal disconnection"),
    DISCONNECT_WITH_WILL_MESSAGE(0x04, "Disconnect with Will Message"),
    UNSPECIFIED_ERROR(0x80, "Unspecified error"),
    MALFORMED_PACKET(0x81, "Malformed Packet"),
    PROTOCOL_ERROR(0x82, "Protocol Error"),
    IMPLEMENTATION_SPECIFIC_ERROR(0x83, "Implementation specific error"),
    NOT_AUTHORIZED(0x87, "Not authorized"),
    SERVER_BUSY(0x89, "Server busy"),
    SERVER_SHUTTING_DOWN(0x8B, "Server shutting down"),
    KEEP_ALIVE_TIMEOUT(0x8D, "Keep Alive timeout"),
    SESSION_TAKEN_OVER(0x8E, "Session taken over"),
    TOPIC_FILTER_INVALID(0x8F, "Topic Filter invalid"),
    TOPIC_NAME_INVALID(0x90, "Topic Name invalid"),
    RECEIVE_MAXIMUM_EXCEEDED(0x93, "Receive Maximum exceeded"),
    TOPIC_ALIAS_INVALID(0x94, "Topic Alias invalid"),
    PACKET_TOO_LARGE(0x95, "Packet too large"),
    MESSAGE_RATE_TOO_HIGH(0x96, "Message rate too high"),
    QUOTA_EXCEEDED(0x97, "Quota exceeded"),
    ADMINISTRATIVE_ACTION(0x98, "Administrative action"),
    PAYLOAD_FORMAT_INVALID(0x99, "Payload format invalid"),
    RETAIN_NOT_SUPPORTED(0x9A, "Retain not supported"),
    QOS_NOT_SUPPORTED(0x9B, "QoS not supported"),
    USE_ANOTHER_SERVER(0x9C, "Use another server"),
    SERVER_MOVED(0x9D, "Server moved"),
    SHARED_SUBSCRIPTIONS_NOT_SUPPORTED(0x9E, "Shared Subscriptions not supported"),
    CONNECTION_RATE_EXCEEDED(0x9F, "Connection rate exceeded"),
    MAXIMUM_CONNECT_TIME(0xA0, "Maximum connect time"),
    SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED(0xA1, "Subscription Identifiers not supported"),
    WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED(0xA2, "Wildcard Subscriptions not supported");

    private static final Map<Integer, Mqtt5DisconnectReasonCode> BY_CODE = new HashMap<>();

    static {
        for (Mqtt5DisconnectReasonCode reason : values()) {
            BY_CODE.put(reason.code, reason);
        }
    }

    private final int code;
    private final String text;

    Mqtt5DisconnectReasonCode(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The code on the wire, as connmon stores and reports it. */
    public int code() {
        return code;
    }

    /** The name the MQTT 5 specification gives it. */
    public String text() {
        return text;
    }

    /** The reason with this code, or null when the code is absent or not one of these. */
    public static Mqtt5DisconnectReasonCode of(Integer code) {
        return code == null ? null : BY_CODE.get(code);
    }
}
