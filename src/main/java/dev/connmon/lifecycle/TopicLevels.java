package dev.connmon.lifecycle;

import java.nio.charset.StandardCharsets;

/**
 * Client ids as single MQTT topic levels (docs/api.md §4): {@code %}, {@code /}, {@code +} and {@code #} are
 * percent-encoded, so every id maps to exactly one level and back. So are control characters and Unicode
 * non-characters (their UTF-8 bytes): MQTT 5 §1.5.4 says topics should not hold them and brokers that validate UTF-8
 * (HiveMQ does by default) disconnect a client publishing such a topic, which would stall the monitoring topic on
 * one client with an odd id.
 */
public final class TopicLevels {
    private TopicLevels() {}

    public static String escape(String clientId) {
        StringBuilder out = new StringBuilder(clientId.length() + 8);
        for (int i = 0; i < clientId.length(); ) {
            int c = clientId.codePointAt(i);
            switch (c) {
                case '%' -> out.append("%25");
                case '/' -> out.append("%2F");
                case '+' -> out.append("%2B");
                case '#' -> out.append("%23");
                default -> {
                    if (refusedInTopics(c)) {
                        for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
                            out.append(String.format("%%%02X", b & 0xFF));
                        }
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
            i += Character.charCount(c);
        }
        return out.toString();
    }

    /** Control characters (C0, DEL, C1) and non-characters (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF). */
    private static boolean refusedInTopics(int c) {
        return c <= 0x1F || (c >= 0x7F && c <= 0x9F) || (c >= 0xFDD0 && c <= 0xFDEF) || (c & 0xFFFE) == 0xFFFE;
    }
}
