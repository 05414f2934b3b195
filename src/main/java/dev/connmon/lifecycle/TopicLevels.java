package dev.connmon.lifecycle;

/**
 * Client ids as single MQTT topic levels (CONTRACT §4): {@code %}, {@code /}, {@code +} and {@code #} are
 * percent-encoded, so every id maps to exactly one level and back. Control characters (U+0000–U+001F, U+007F–U+009F)
 * are percent-encoded too (as their UTF-8 bytes): MQTT asks that topic names not hold them, and a broker may close
 * the connection of a client that publishes one (HiveMQ does), which would stop the monitoring topic at that client.
 */
public final class TopicLevels {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private TopicLevels() {
    }

    public static String escape(String clientId) {
        StringBuilder out = new StringBuilder(clientId.length() + 8);
        for (int i = 0; i < clientId.length(); i++) {
            char c = clientId.charAt(i);
            switch (c) {
                case '%' -> out.append("%25");
                case '/' -> out.append("%2F");
                case '+' -> out.append("%2B");
                case '#' -> out.append("%23");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else if (c >= 0x80 && c <= 0x9F) {
                        // U+0080–U+009F are two UTF-8 bytes: C2 80 … C2 9F
                        out.append("%C2%").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
