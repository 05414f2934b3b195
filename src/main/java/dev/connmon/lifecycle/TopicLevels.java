package dev.connmon.lifecycle;

/**
 * Client ids as single MQTT topic levels (CONTRACT §4): {@code %}, {@code /}, {@code +} and {@code #} are
 * percent-encoded, so every id maps to exactly one level and back.
 */
public final class TopicLevels {
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
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
