package dev.connmon.lifecycle.dialect;

import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.ReasonCodes;

/** How a source's own disconnect reason maps onto connmon's model: who ended it, and the MQTT 5 code. */
record Disconnect(Initiator initiator, Integer code) {

    static Disconnect client(int code) {
        return new Disconnect(Initiator.CLIENT, code);
    }

    static Disconnect server(int code) {
        return new Disconnect(Initiator.SERVER, code);
    }

    static Disconnect network() {
        return new Disconnect(Initiator.NETWORK, null);
    }

    /** The text to show: the source's own words when the code has no name of its own. */
    String reason(String sourceReason) {
        String name = ReasonCodes.disconnectReason(code);
        return name != null ? name : sourceReason;
    }
}
