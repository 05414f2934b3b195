package dev.connmon.lifecycle;

import java.util.Locale;

/** The sentence a person reads in the connection log ("Disconnected by the server: Keep Alive timeout (0x8D)"). */
public final class LogMessages {
    private LogMessages() {}

    public static String message(
            String event, String initiator, Integer code, String reason, String ipAddress, String protocol) {
        EventType type = EventType.fromWireName(event).orElse(null);
        if (type == EventType.CONNECTED) {
            return "Connected" + (ipAddress == null ? "" : " from " + ipAddress)
                    + (protocol == null ? "" : " (MQTT " + protocol + ")");
        }
        if (type == EventType.CONNECT_FAILED) {
            String why = ReasonCodes.describe(type, code, reason);
            return "Connection refused" + detail(why == null ? null : why.toLowerCase(Locale.ROOT), code);
        }
        if (type == EventType.DISCONNECTED) {
            String why = ReasonCodes.describe(type, code, reason);
            if (initiator == null) {
                return "Disconnected" + detail(why, code);
            }
            return switch (initiator) {
                case "client" -> "Disconnected by the client" + detail(why, code);
                case "server" -> "Disconnected by the server" + detail(why, code);
                default -> code == null && why == null ? "Connection lost" : "Connection lost" + detail(why, code);
            };
        }
        return event;
    }

    private static String detail(String why, Integer code) {
        String hex = code == null ? null : String.format("0x%02X", code);
        if (why == null) {
            return hex == null ? "" : " (" + hex + ")";
        }
        return ": " + why + (hex == null ? "" : " (" + hex + ")");
    }
}
