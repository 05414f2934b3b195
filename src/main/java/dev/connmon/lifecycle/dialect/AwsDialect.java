package dev.connmon.lifecycle.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.Mqtt5ConnAckReasonCode;
import dev.connmon.lifecycle.Mqtt5DisconnectReasonCode;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;

/**
 * AWS IoT Core lifecycle events ({@code $aws/events/presence/…}, {@code $aws/events/subscriptions/…}), bridged
 * into an MQTT broker. The connect and disconnect of one connection share {@code versionNumber}; with the session
 * id it names the connection (versions restart at 0 for a new session).
 */
@Singleton
public class AwsDialect extends BrokerDialect {
    public static final String NAME = "aws";
    static final String ANCHOR = "$aws/events/";

    /** Every {@code disconnectReason} of the AWS docs and the DisconnectReasonValue API enum. */
    static final Map<String, Disconnect> REASONS = Map.ofEntries(
            Map.entry("CLIENT_INITIATED_DISCONNECT", Disconnect.client(Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION)),
            Map.entry("AUTH_ERROR", Disconnect.server(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED)),
            Map.entry("FORBIDDEN_ACCESS", Disconnect.server(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED)),
            Map.entry("CLIENT_ERROR", Disconnect.server(Mqtt5DisconnectReasonCode.PROTOCOL_ERROR)),
            Map.entry("CONNECTION_LOST", Disconnect.network()),
            Map.entry("DUPLICATE_CLIENTID", Disconnect.server(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER)),
            Map.entry("MQTT_KEEP_ALIVE_TIMEOUT", Disconnect.server(Mqtt5DisconnectReasonCode.KEEP_ALIVE_TIMEOUT)),
            Map.entry("SERVER_ERROR", Disconnect.server(Mqtt5DisconnectReasonCode.UNSPECIFIED_ERROR)),
            Map.entry("SERVER_INITIATED_DISCONNECT", Disconnect.server(Mqtt5DisconnectReasonCode.SERVER_SHUTTING_DOWN)),
            Map.entry("API_INITIATED_DISCONNECT", Disconnect.server(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION)),
            Map.entry("THROTTLED", Disconnect.server(Mqtt5DisconnectReasonCode.MESSAGE_RATE_TOO_HIGH)),
            Map.entry("WEBSOCKET_TTL_EXPIRATION", Disconnect.server(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME)),
            Map.entry("CUSTOMAUTH_TTL_EXPIRATION", Disconnect.server(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME)),
            Map.entry("UNKNOWN", new Disconnect(null, null)),
            Map.entry("NONE", new Disconnect(null, null)));

    private final ObjectMapper mapper;

    AwsDialect(ObjectMapper mapper) {
        super(NAME, ANCHOR);
        this.mapper = mapper;
    }

    @Override
    public List<LifecycleEvent> decode(String topic, byte[] payload) throws DecodeException {
        JsonNode root = JsonFields.object(mapper, payload);
        String clientId = JsonFields.identifier(root, "clientId");
        if (clientId == null) {
            // $aws/events/presence/{event}/{clientId}
            String[] levels = topic.split("/", 5);
            clientId = levels.length == 5 ? levels[4] : null;
        }
        clientId = JsonFields.clientId(clientId);
        String eventType = JsonFields.text(root, "eventType");
        if (eventType == null) {
            String[] levels = topic.split("/");
            eventType = levels.length >= 4 ? levels[3] : "";
        }
        LifecycleEvent.Builder builder = switch (eventType) {
            case "connected" ->
                LifecycleEvent.builder(EventType.CONNECTED, clientId, JsonFields.instant(root, "timestamp"));
            case "disconnected" -> {
                String reason = JsonFields.text(root, "disconnectReason");
                Disconnect disconnect = reason == null
                        ? fromFlag(JsonFields.bool(root, "clientInitiatedDisconnect"))
                        : REASONS.getOrDefault(reason, Disconnect.server(Mqtt5DisconnectReasonCode.UNSPECIFIED_ERROR));
                yield LifecycleEvent.builder(EventType.DISCONNECTED, clientId, JsonFields.instant(root, "timestamp"))
                        .initiator(disconnect.initiator())
                        .reasonCode(disconnect.code())
                        .reason(reason == null ? null : disconnect.reason(reason));
            }
            case "connect_failed" -> {
                String reason = JsonFields.text(root, "connectFailureReason");
                yield LifecycleEvent.builder(EventType.CONNECT_FAILED, clientId, JsonFields.instant(root, "timestamp"))
                        .reasonCode(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED.code())
                        .reason(reason);
            }
            case "subscribed" ->
                LifecycleEvent.builder(EventType.SUBSCRIBED, clientId, JsonFields.instant(root, "timestamp"))
                        .topic(firstTopic(root));
            case "unsubscribed" ->
                LifecycleEvent.builder(EventType.UNSUBSCRIBED, clientId, JsonFields.instant(root, "timestamp"))
                        .topic(firstTopic(root));
            default -> throw new DecodeException("unknown AWS IoT event '" + JsonFields.abbreviate(eventType) + "'");
        };
        Long version = JsonFields.longValue(root, "versionNumber");
        String session = JsonFields.text(root, "sessionIdentifier");
        return List.of(
                builder.connectionId(version == null ? null : "aws:" + (session == null ? "" : session) + ":" + version)
                        .ipAddress(JsonFields.text(root, "ipAddress"))
                        .username(JsonFields.text(root, "principalIdentifier"))
                        .dialect(NAME)
                        .build());
    }

    private static Disconnect fromFlag(Boolean clientInitiated) {
        if (clientInitiated == null) {
            return new Disconnect(null, null);
        }
        return clientInitiated
                ? Disconnect.client(Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION)
                : Disconnect.server(Mqtt5DisconnectReasonCode.UNSPECIFIED_ERROR);
    }

    private static String firstTopic(JsonNode root) {
        JsonNode topics = root.get("topics");
        return topics != null
                        && topics.isArray()
                        && !topics.isEmpty()
                        && topics.get(0).isTextual()
                ? JsonFields.sanitize(topics.get(0).textValue())
                : null;
    }
}
