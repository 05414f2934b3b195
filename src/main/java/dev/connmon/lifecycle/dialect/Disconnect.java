package dev.connmon.lifecycle.dialect;

import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.Mqtt5ConnAckReasonCode;
import dev.connmon.lifecycle.Mqtt5DisconnectReasonCode;
import dev.connmon.lifecycle.ReasonCodes;

/** How a source's own disconnect reason maps onto connmon's model: who ended it, and the MQTT 5 code. */
record Disconnect(Initiator initiator, Integer code) {

    static Disconnect client(Mqtt5DisconnectReasonCode reason) {
        return new Disconnect(Initiator.CLIENT, reason.code());
    }

    static Disconnect server(Mqtt5DisconnectReasonCode reason) {
        return new Disconnect(Initiator.SERVER, reason.code());
    }

    /** A refusal at connect, where a source reports it in the same words as a disconnect (EMQX). */
    static Disconnect server(Mqtt5ConnAckReasonCode refusal) {
        return new Disconnect(Initiator.SERVER, refusal.code());
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
