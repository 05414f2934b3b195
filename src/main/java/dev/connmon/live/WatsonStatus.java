package dev.connmon.live;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.lifecycle.LogMessages;
import dev.connmon.lifecycle.TopicLevels;
import dev.connmon.state.ChangeReader.Change;
import dev.connmon.state.ChangeReader.Connection;
import dev.connmon.state.ClientState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Watson IoT's device and application status messages (docs/api.md §7), made from a state change: a {@code Connect}
 * when the change stored a new connect, a {@code Disconnect} when it stored a new disconnect, on
 * {@code iot-2/type/{typeId}/id/{deviceId}/mon} or {@code iot-2/app/{appId}/mon}; an empty message for a deletion
 * (clears the retained status). Ids of no Watson shape, and activity, give none. The publisher sends them retained,
 * QoS 1, after the change's own monitoring message.
 */
@ApplicationScoped
public class WatsonStatus {
    /** One message to publish retained: an empty payload clears the topic. */
    public record Status(String topic, byte[] payload) {}

    private final ObjectMapper mapper;
    private final boolean enabled;

    @Inject
    WatsonStatus(ObjectMapper mapper, ConnmonConfig config) {
        this(mapper, config.monitor().watson());
    }

    WatsonStatus(ObjectMapper mapper, boolean enabled) {
        this.mapper = mapper;
        this.enabled = enabled;
    }

    /** The status messages of {@code change}, in the order they happened; usually none or one. */
    public List<Status> of(Change change) {
        String topic = enabled ? topic(change.clientId()) : null;
        if (topic == null) {
            return List.of();
        }
        ClientState state = change.state();
        if (state == null) {
            return List.of(new Status(topic, new byte[0]));
        }
        Connection connection = change.connection();
        boolean connected = "connected".equals(state.connectionStatus());
        List<Status> statuses = new ArrayList<>(2);
        // a disconnect and a connect stored by one change: the disconnect of the previous connection (a takeover,
        // a quick reconnect) came first when the client is connected now, else the connect did
        if (connection.disconnectMoved() && connected) {
            statuses.add(new Status(topic, encode(disconnect(state, connection, false))));
        }
        if (connection.connectMoved()) {
            statuses.add(new Status(topic, encode(connect(state, connection))));
        }
        if (connection.disconnectMoved() && !connected) {
            statuses.add(new Status(topic, encode(disconnect(state, connection, true))));
        }
        return statuses;
    }

    /**
     * {@code d:}/{@code g:} devices and gateways on their type and id, {@code a:}/{@code A:} applications on their
     * app id (docs/api.md §7); each part escaped as one topic level (§4). Null for any other id.
     */
    static String topic(String clientId) {
        if (clientId.startsWith("d:") || clientId.startsWith("g:")) {
            String[] parts = clientId.split(":", 4);
            if (parts.length == 4 && !parts[2].isEmpty() && !parts[3].isEmpty()) {
                return "iot-2/type/" + TopicLevels.escape(parts[2]) + "/id/" + TopicLevels.escape(parts[3]) + "/mon";
            }
        } else if (clientId.startsWith("a:")) {
            String[] parts = clientId.split(":", 3);
            if (parts.length == 3 && !parts[2].isEmpty()) {
                return "iot-2/app/" + TopicLevels.escape(parts[2]) + "/mon";
            }
        } else if (clientId.startsWith("A:")) {
            // a scalable application: A:{org}:{appId}, as IBM's SDKs name one, or with an instance part
            String[] parts = clientId.split(":", 4);
            if (parts.length >= 3 && !parts[2].isEmpty()) {
                return "iot-2/app/" + TopicLevels.escape(parts[2]) + "/mon";
            }
        }
        return null;
    }

    private ObjectNode connect(ClientState state, Connection connection) {
        ObjectNode status = common("Connect", state.lastConnectTime(), state, connection);
        putIfKnown(status, "ConnectTime", state.lastConnectTime());
        if (connection.cleanStart() != null) {
            status.put("Durable", !connection.cleanStart());
        }
        return status;
    }

    /** {@code endsStoredConnection}: the disconnect ended the stored connect, whose fields it carries. */
    private ObjectNode disconnect(ClientState state, Connection connection, boolean endsStoredConnection) {
        ObjectNode status;
        if (endsStoredConnection) {
            status = common("Disconnect", state.lastDisconnectTime(), state, connection);
            putIfKnown(status, "ConnectTime", state.lastConnectTime());
            if (connection.cleanStart() != null) {
                status.put("Durable", !connection.cleanStart());
            }
        } else {
            // the previous connection's end: the stored connection fields are the new connection's, not its own
            status = mapper.createObjectNode();
            status.put("Action", "Disconnect");
            status.put("Time", state.lastDisconnectTime());
            status.put("ClientID", state.id());
        }
        status.put(
                "Reason",
                LogMessages.message(
                        "disconnected",
                        state.lastDisconnectInitiator(),
                        state.lastDisconnectReasonCode(),
                        state.lastDisconnectReason(),
                        null,
                        null));
        if (state.lastDisconnectReasonCode() != null) {
            status.put("CloseCode", state.lastDisconnectReasonCode());
        }
        return status;
    }

    /** Action, time, and what the stored connection tells: address, id, port, protocol, user. */
    private ObjectNode common(String action, String time, ClientState state, Connection connection) {
        ObjectNode status = mapper.createObjectNode();
        status.put("Action", action);
        status.put("Time", time);
        putIfKnown(status, "ClientAddr", state.ipAddress());
        status.put("ClientID", state.id());
        if (connection.port() != null) {
            status.put("Port", connection.port());
        }
        putIfKnown(status, "Protocol", protocol(state.mqttConnectProtocol()));
        putIfKnown(status, "User", state.username());
        return status;
    }

    /** Watson's names: mqtt4 for 3.1.1, mqtt5, mqtt3 for 3.1; the transport is not known, so no suffix. */
    static String protocol(String mqttConnectProtocol) {
        if (mqttConnectProtocol == null) {
            return null;
        }
        return switch (mqttConnectProtocol) {
            case "3.1.1" -> "mqtt4";
            case "5.0", "5" -> "mqtt5";
            case "3.1" -> "mqtt3";
            default -> null;
        };
    }

    private static void putIfKnown(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private byte[] encode(ObjectNode status) {
        try {
            return mapper.writeValueAsBytes(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a Watson status", e);
        }
    }
}
