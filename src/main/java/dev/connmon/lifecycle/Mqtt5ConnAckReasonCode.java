package dev.connmon.lifecycle;

import java.util.HashMap;
import java.util.Map;

/** The reason codes of an MQTT 5 CONNACK (MQTT 5.0 §3.2.2.2), by the specification's names. */
public enum Mqtt5ConnAckReasonCode {
    SUCCESS(0x00, "Success"),
    UNSPECIFIED_ERROR(0x80, "Unspecified error"),
    MALFORMED_PACKET(0x81, "Malformed Packet"),
    PROTOCOL_ERROR(0x82, "Protocol Error"),
    IMPLEMENTATION_SPECIFIC_ERROR(0x83, "Implementation specific error"),
    UNSUPPORTED_PROTOCOL_VERSION(0x84, "Unsupported Protocol Version"),
    CLIENT_IDENTIFIER_NOT_VALID(0x85, "Client Identifier not valid"),
    BAD_USER_NAME_OR_PASSWORD(0x86, "Bad User Name or Password"),
    NOT_AUTHORIZED(0x87, "Not authorized"),
    SERVER_UNAVAILABLE(0x88, "Server unavailable"),
    SERVER_BUSY(0x89, "Server busy"),
    BANNED(0x8A, "Banned"),
    BAD_AUTHENTICATION_METHOD(0x8C, "Bad authentication method"),
    TOPIC_NAME_INVALID(0x90, "Topic Name invalid"),
    PACKET_TOO_LARGE(0x95, "Packet too large"),
    QUOTA_EXCEEDED(0x97, "Quota exceeded"),
    PAYLOAD_FORMAT_INVALID(0x99, "Payload format invalid"),
    RETAIN_NOT_SUPPORTED(0x9A, "Retain not supported"),
    QOS_NOT_SUPPORTED(0x9B, "QoS not supported"),
    USE_ANOTHER_SERVER(0x9C, "Use another server"),
    SERVER_MOVED(0x9D, "Server moved"),
    CONNECTION_RATE_EXCEEDED(0x9F, "Connection rate exceeded");

    private static final Map<Integer, Mqtt5ConnAckReasonCode> BY_CODE = new HashMap<>();

    static {
        for (Mqtt5ConnAckReasonCode reason : values()) {
            BY_CODE.put(reason.code, reason);
        }
    }

    private final int code;
    private final String text;

    Mqtt5ConnAckReasonCode(int code, String text) {
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
    public static Mqtt5ConnAckReasonCode of(Integer code) {
        return code == null ? null : BY_CODE.get(code);
    }
}
