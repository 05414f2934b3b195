package dev.connmon.lifecycle.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.Mqtt5ConnAckReasonCode;
import dev.connmon.lifecycle.Mqtt5DisconnectReasonCode;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * EMQX 4 and 5 system event messages: {@code $SYS/brokers/{node}/clients/{clientId}/{event}} (and the gateway
 * form); and the rule engine's client and session events ({@code "event": "client.connected"}, …) as its Kafka sink
 * or a republish action sends them, with {@code peername} for the address and {@code node} in the payload. {@code connected_at} identifies a connection, so a late disconnect of an old connection never ends a newer
 * one (the EMQX maintainers' own advice, emqx/emqx #14837).
 */
@Singleton
public class EmqxDialect extends BrokerDialect {
    public static final String NAME = "emqx";
    static final String ANCHOR = "$SYS/brokers/";

    /** Every documented {@code reason} (rule-engine docs, emqx-docs #3111/#3128). */
    static final Map<String, Disconnect> REASONS = Map.ofEntries(
            Map.entry("normal", Disconnect.client(Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION)),
            Map.entry("kicked", Disconnect.server(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION)),
            Map.entry("keepalive_timeout", Disconnect.server(Mqtt5DisconnectReasonCode.KEEP_ALIVE_TIMEOUT)),
            Map.entry("idle_timeout", Disconnect.server(Mqtt5DisconnectReasonCode.KEEP_ALIVE_TIMEOUT)),
            Map.entry("takenover", Disconnect.server(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER)),
            Map.entry("discarded", Disconnect.server(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER)),
            Map.entry("not_authorized", Disconnect.server(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED)),
            Map.entry("banned", Disconnect.server(Mqtt5ConnAckReasonCode.BANNED)),
            Map.entry("malformed_packet", Disconnect.server(Mqtt5DisconnectReasonCode.MALFORMED_PACKET)),
            Map.entry("zero_remaining_len", Disconnect.server(Mqtt5DisconnectReasonCode.MALFORMED_PACKET)),
            Map.entry("unexpected_packet", Disconnect.server(Mqtt5DisconnectReasonCode.PROTOCOL_ERROR)),
            Map.entry("invalid_proto_name", Disconnect.server(Mqtt5DisconnectReasonCode.PROTOCOL_ERROR)),
            Map.entry("invalid_topic", Disconnect.server(Mqtt5DisconnectReasonCode.TOPIC_NAME_INVALID)),
            Map.entry("bad_username_or_password", Disconnect.server(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD)),
            Map.entry(
                    "client_identifier_not_valid",
                    Disconnect.server(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID)),
            Map.entry("internal_error", Disconnect.server(Mqtt5DisconnectReasonCode.IMPLEMENTATION_SPECIFIC_ERROR)),
            Map.entry("tcp_closed", Disconnect.network()),
            Map.entry("sock_closed", Disconnect.network()),
            Map.entry("closed", Disconnect.network()),
            Map.entry("einval", Disconnect.network()),
            Map.entry("ssl_closed", Disconnect.network()),
            Map.entry("ssl_error", Disconnect.network()),
            Map.entry("ssl_upgrade_timeout", Disconnect.network()));

    private final ObjectMapper mapper;

    EmqxDialect(ObjectMapper mapper) {
        super(NAME, ANCHOR);
        this.mapper = mapper;
    }

    @Override
    public boolean matches(String topic) {
        return topic.startsWith(ANCHOR) && (topic.contains("/clients/"));
    }

    @Override
    public List<LifecycleEvent> decode(String topic, byte[] payload) throws DecodeException {
        JsonNode root = JsonFields.object(mapper, payload);
        // a rule-engine event (EMQX's Kafka sink, a republish action) names itself; a system message by its topic
        String ruleEvent = ruleEvent(root);
        String event = ruleEvent != null ? ruleEvent : topic.substring(topic.lastIndexOf('/') + 1);
        String clientId = JsonFields.identifier(root, "clientid");
        if (clientId == null) {
            clientId = fromTopic(topic);
        }
        clientId = JsonFields.clientId(clientId);
        String node = nodeFromTopic(topic);
        if (node == null) {
            node = JsonFields.text(root, "node");
        }
        LifecycleEvent.Builder builder;
        switch (event) {
            case "connected" ->
                builder = LifecycleEvent.builder(EventType.CONNECTED, clientId, time(root, "connected_at"))
                        .keepAlive(JsonFields.integer(root, "keepalive", 0, 65535))
                        .cleanStart(JsonFields.bool(root, "clean_start"));
            case "disconnected" -> {
                String reason = JsonFields.text(root, "reason");
                Disconnect disconnect = reason == null
                        ? new Disconnect(null, null)
                        : REASONS.getOrDefault(reason, Disconnect.server(Mqtt5DisconnectReasonCode.UNSPECIFIED_ERROR));
                builder = LifecycleEvent.builder(EventType.DISCONNECTED, clientId, time(root, "disconnected_at"))
                        .initiator(disconnect.initiator())
                        .reasonCode(disconnect.code())
                        .reason(reason == null ? null : disconnect.reason(reason));
            }
            case "connack" -> {
                // a successful CONNACK is followed by client.connected, which carries the connection
                String reason = JsonFields.requiredText(root, "reason_code");
                if (reason.equals("success")) {
                    return List.of();
                }
                Disconnect refusal =
                        REASONS.getOrDefault(reason, Disconnect.server(Mqtt5DisconnectReasonCode.UNSPECIFIED_ERROR));
                builder = LifecycleEvent.builder(EventType.CONNECT_FAILED, clientId, time(root, null))
                        .reasonCode(refusal.code())
                        .reason(reason)
                        .keepAlive(JsonFields.integer(root, "keepalive", 0, 65535))
                        .cleanStart(JsonFields.bool(root, "clean_start"));
            }
            case "subscribed" ->
                builder = LifecycleEvent.builder(EventType.SUBSCRIBED, clientId, time(root, null))
                        .topic(JsonFields.text(root, "topic"));
            case "unsubscribed" ->
                builder = LifecycleEvent.builder(EventType.UNSUBSCRIBED, clientId, time(root, null))
                        .topic(JsonFields.text(root, "topic"));
            default -> throw new DecodeException("unknown EMQX event '" + JsonFields.abbreviate(event) + "'");
        }
        Long connectedAt = JsonFields.longValue(root, "connected_at");
        String peer = JsonFields.text(root, "peername");
        String ipAddress = JsonFields.text(root, "ipaddress");
        return List.of(builder.connectionId(connectedAt == null ? null : "emqx:" + connectedAt)
                .ipAddress(ipAddress != null ? ipAddress : peerHost(peer))
                .port(peerPort(peer))
                .username(JsonFields.text(root, "username"))
                .protocolVersion(protocol(JsonFields.integer(root, "proto_ver", 0, 255)))
                .node(node)
                .dialect(NAME)
                .build());
    }

    /**
     * The rule-engine event's name as the system topics' last level ({@code client.connected} → {@code connected}),
     * or null when the payload names none of the client and session events.
     */
    private static String ruleEvent(JsonNode root) throws DecodeException {
        String event = root.has("event") && root.get("event").isTextual() ? JsonFields.text(root, "event") : null;
        if (event == null) {
            return null;
        }
        if (event.startsWith("client.")) {
            return event.substring("client.".length());
        }
        if (event.startsWith("session.")) {
            return event.substring("session.".length());
        }
        return null;
    }

    /** {@code 192.0.2.7:50112} or {@code [2001:db8::1]:50112} → the address. */
    private static String peerHost(String peer) {
        int colon = peer == null ? -1 : peer.lastIndexOf(':');
        if (colon <= 0) {
            return peer;
        }
        String host = peer.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static Integer peerPort(String peer) {
        int colon = peer == null ? -1 : peer.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            int port = Integer.parseInt(peer.substring(colon + 1));
            return port >= 0 && port <= 65535 ? port : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The event's own time field, else {@code ts} (system messages), else {@code timestamp} (rule events). */
    private static Instant time(JsonNode root, String field) throws DecodeException {
        if (field != null && root.hasNonNull(field)) {
            return JsonFields.instant(root, field);
        }
        return JsonFields.instant(root, root.hasNonNull("ts") || !root.hasNonNull("timestamp") ? "ts" : "timestamp");
    }

    static String protocol(Integer version) {
        if (version == null) {
            return null;
        }
        return switch (version) {
            case 3 -> "3.1";
            case 4 -> "3.1.1";
            case 5 -> "5.0";
            default -> Integer.toString(version);
        };
    }

    /** {@code …/clients/{clientId}/{event}}: the id may itself hold '/', so take everything in between. */
    private static String fromTopic(String topic) throws DecodeException {
        int clients = topic.indexOf("/clients/");
        int last = topic.lastIndexOf('/');
        if (clients < 0 || last <= clients + 9) {
            throw new DecodeException("no client id in the payload or the topic");
        }
        return topic.substring(clients + 9, last);
    }

    private static String nodeFromTopic(String topic) {
        int start = topic.indexOf(ANCHOR);
        if (start < 0) {
            return null;
        }
        int from = start + ANCHOR.length();
        int end = topic.indexOf('/', from);
        return end < 0 ? null : JsonFields.sanitize(topic.substring(from, end));
    }
}
