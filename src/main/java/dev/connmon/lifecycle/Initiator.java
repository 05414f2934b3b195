package dev.connmon.lifecycle;

import java.util.Locale;
import java.util.Optional;

/** Who ended a connection. */
public enum Initiator {
    CLIENT,
    SERVER,
    NETWORK;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Initiator> fromWireName(String name) {
        for (Initiator initiator : values()) {
            if (initiator.wireName().equals(name)) {
                return Optional.of(initiator);
            }
        }
        return Optional.empty();
    }
}
