package dev.connmon.lifecycle.dialect;

import java.time.DateTimeException;
import java.time.Instant;

/** The fields of a Mosquitto log line, each checked as a canonical event's field would be. */
final class MosquittoFields {
    private MosquittoFields() {}

    /** Epoch seconds within the years connmon stores; digits beyond a long are no time either. */
    static Instant epochSeconds(String digits) throws DecodeException {
        try {
            return JsonFields.storable(Instant.ofEpochSecond(Long.parseLong(digits)), "log timestamp");
        } catch (NumberFormatException | DateTimeException e) {
            throw new DecodeException("log timestamp is out of range: " + JsonFields.abbreviate(digits));
        }
    }

    static int port(String digits) throws DecodeException {
        if (digits.length() > 5 || Integer.parseInt(digits) > 65535) {
            throw new DecodeException("port is out of range: " + JsonFields.abbreviate(digits));
        }
        return Integer.parseInt(digits);
    }

    static Integer keepAlive(String value) {
        try {
            return Integer.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String protocol(String level) {
        return switch (level) {
            case "1" -> "3.1";
            case "2" -> "3.1.1";
            case "5" -> "5.0";
            default -> null;
        };
    }
}
