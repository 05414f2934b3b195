package dev.connmon.embedded;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ClientInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionLostInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.Mqtt5DisconnectReasonCode;
import dev.connmon.lifecycle.ReasonCodes;

/** Connects and the three ways a connection ends, as HiveMQ reports them, turned into canonical events. */
final class LifecycleListener implements ClientLifecycleEventListener {
    private final LifecycleEmitter emitter;

    LifecycleListener(LifecycleEmitter emitter) {
        this.emitter = emitter;
    }

    @Override
    public void onMqttConnectionStart(ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(AuthenticationSuccessfulInput input) {
        ConnectionInformation connection = input.getConnectionInformation();
        if (LifecycleExtension.isSystem(connection)) {
            return;
        }
        ObjectNode event =
                emitter.event(EventType.CONNECTED, input.getClientInformation().getClientId());
        event.put("connectionId", LifecycleExtension.attribute(connection, LifecycleExtension.CONNECTION_ID));
        event.put("protocolVersion", HiveMqReasonCodes.protocol(connection.getMqttVersion()));
        connection.getInetAddress().ifPresent(address -> event.put("ipAddress", address.getHostAddress()));
        // the port the client connected to, as Watson reports it: HiveMQ's SDK does not tell the client's own port
        connection.getListener().ifPresent(listener -> event.put("port", listener.getPort()));
        String username = LifecycleExtension.attribute(connection, LifecycleExtension.USERNAME);
        if (username != null) {
            event.put("username", username);
        }
        String keepAlive = LifecycleExtension.attribute(connection, LifecycleExtension.KEEP_ALIVE);
        if (keepAlive != null) {
            event.put("keepAlive", Integer.parseInt(keepAlive));
        }
        String cleanStart = LifecycleExtension.attribute(connection, LifecycleExtension.CLEAN_START);
        if (cleanStart != null) {
            event.put("cleanStart", Boolean.parseBoolean(cleanStart));
        }
        emitter.publish(event);
    }

    @Override
    public void onClientInitiatedDisconnect(ClientInitiatedDisconnectInput input) {
        ended(input, Initiator.CLIENT);
    }

    @Override
    public void onServerInitiatedDisconnect(ServerInitiatedDisconnectInput input) {
        ended(input, Initiator.SERVER);
    }

    @Override
    public void onConnectionLost(ConnectionLostInput input) {
        ended(input, Initiator.NETWORK);
    }

    /** Every other end (failed authentication) is reported where it is decided, in the Authenticator. */
    @Override
    public void onDisconnect(DisconnectEventInput input) {}

    private void ended(DisconnectEventInput input, Initiator initiator) {
        ConnectionInformation connection = input.getConnectionInformation();
        String connectionId = LifecycleExtension.attribute(connection, LifecycleExtension.CONNECTION_ID);
        if (LifecycleExtension.isSystem(connection) || connectionId == null) {
            return;
        }
        Integer code = input.getReasonCode().map(HiveMqReasonCodes::code).orElse(null);
        if (code == null && initiator == Initiator.CLIENT) {
            code = Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION.code();
        }
        String reason =
                initiator == Initiator.NETWORK && code == null ? "Connection lost" : ReasonCodes.disconnectReason(code);
        emitter.disconnected(input.getClientInformation().getClientId(), connectionId, initiator, code, reason);
    }
}
