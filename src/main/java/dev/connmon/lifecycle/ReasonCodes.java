package dev.connmon.lifecycle;

import java.util.Map;

/** Readable names of the MQTT 5 reason codes that end or refuse a connection (MQTT 5.0 §3.2.2.2, §3.14.2.1). */
public final class ReasonCodes {
    public static final int NORMAL_DISCONNECTION = 0x00;
    public static final int DISCONNECT_WITH_WILL = 0x04;
    public static final int CLIENT_IDENTIFIER_NOT_VALID = 0x85;
    public static final int NOT_AUTHORIZED = 0x87;
    public static final int SERVER_SHUTTING_DOWN = 0x8B;
    public static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
    public static final int KEEP_ALIVE_TIMEOUT = 0x8D;
    public static final int SESSION_TAKEN_OVER = 0x8E;

    private static final Map<Integer, String> DISCONNECT = Map.ofEntries(
            Map.entry(0x00, "Normal disconnection"),
            Map.entry(0x04, "Disconnect with Will Message"),
            Map.entry(0x80, "Unspecified error"),
            Map.entry(0x81, "Malformed Packet"),
            Map.entry(0x82, "Protocol Error"),
            Map.entry(0x83, "Implementation specific error"),
            Map.entry(0x87, "Not authorized"),
            Map.entry(0x89, "Server busy"),
            Map.entry(0x8B, "Server shutting down"),
            Map.entry(0x8D, "Keep Alive timeout"),
            Map.entry(0x8E, "Session taken over"),
            Map.entry(0x8F, "Topic Filter invalid"),
            Map.entry(0x90, "Topic Name invalid"),
            Map.entry(0x93, "Receive Maximum exceeded"),
            Map.entry(0x94, "Topic Alias invalid"),
            Map.entry(0x95, "Packet too large"),
            Map.entry(0x96, "Message rate too high"),
            Map.entry(0x97, "Quota exceeded"),
            Map.entry(0x98, "Administrative action"),
            Map.entry(0x99, "Payload format invalid"),
            Map.entry(0x9A, "Retain not supported"),
            Map.entry(0x9B, "QoS not supported"),
            Map.entry(0x9C, "Use another server"),
            Map.entry(0x9D, "Server moved"),
            Map.entry(0x9E, "Shared Subscriptions not supported"),
            Map.entry(0x9F, "Connection rate exceeded"),
            Map.entry(0xA0, "Maximum connect time"),
            Map.entry(0xA1, "Subscription Identifiers not supported"),
            Map.entry(0xA2, "Wildcard Subscriptions not supported"));

    private static final Map<Integer, String> CONNACK = Map.ofEntries(
            Map.entry(0x00, "Success"),
            Map.entry(0x80, "Unspecified error"),
            Map.entry(0x81, "Malformed Packet"),
            Map.entry(0x82, "Protocol Error"),
            Map.entry(0x83, "Implementation specific error"),
            Map.entry(0x84, "Unsupported Protocol Version"),
            Map.entry(0x85, "Client Identifier not valid"),
            Map.entry(0x86, "Bad User Name or Password"),
            Map.entry(0x87, "Not authorized"),
            Map.entry(0x88, "Server unavailable"),
            Map.entry(0x89, "Server busy"),
            Map.entry(0x8A, "Banned"),
            Map.entry(0x8C, "Bad authentication method"),
            Map.entry(0x90, "Topic Name invalid"),
            Map.entry(0x95, "Packet too large"),
            Map.entry(0x97, "Quota exceeded"),
            Map.entry(0x99, "Payload format invalid"),
            Map.entry(0x9A, "Retain not supported"),
            Map.entry(0x9B, "QoS not supported"),
            Map.entry(0x9C, "Use another server"),
            Map.entry(0x9D, "Server moved"),
            Map.entry(0x9F, "Connection rate exceeded"));

    private ReasonCodes() {}

    /** The name of a DISCONNECT reason code, or null when the code is unknown or absent. */
    public static String disconnectReason(Integer code) {
        return code == null ? null : DISCONNECT.get(code);
    }

    /** The name of a CONNACK reason code, or null when the code is unknown or absent. */
    public static String connackReason(Integer code) {
        return code == null ? null : CONNACK.get(code);
    }

    /** The reason text to show: the event's own if it has one, else the code's name for its event type. */
    public static String describe(EventType type, Integer code, String reason) {
        if (reason != null && !reason.isBlank()) {
            return reason;
        }
        return type == EventType.CONNECT_FAILED ? connackReason(code) : disconnectReason(code);
    }
}
