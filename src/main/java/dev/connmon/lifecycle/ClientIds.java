package dev.connmon.lifecycle;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The one place that decides whether a client id can be stored. */
public final class ClientIds {
    /**
     * Longer ids are rejected rather than stored: PostgreSQL cannot index keys past about 2.7 kB, and no real
     * fleet uses ids this long (Watson caps them far lower).
     */
    public static final int MAX_UTF8_BYTES = 1024;

    private ClientIds() {}

    /** Why an id cannot be stored, or empty when it can. */
    public static Optional<String> problem(String clientId) {
        if (clientId == null || clientId.isEmpty()) {
            return Optional.of("clientId is empty");
        }
        for (int i = 0; i < clientId.length(); i++) {
            char c = clientId.charAt(i);
            if (c == '\u0000') {
                return Optional.of("clientId contains U+0000");
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= clientId.length() || !Character.isLowSurrogate(clientId.charAt(i + 1))) {
                    return Optional.of("clientId contains an unpaired surrogate");
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return Optional.of("clientId contains an unpaired surrogate");
            }
        }
        if (clientId.getBytes(StandardCharsets.UTF_8).length > MAX_UTF8_BYTES) {
            return Optional.of("clientId is longer than " + MAX_UTF8_BYTES + " bytes");
        }
        return Optional.empty();
    }
}
