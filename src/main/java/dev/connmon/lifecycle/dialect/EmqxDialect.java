package dev.connmon.lifecycle.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.ReasonCodes;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * EMQX 4 and 5 system event messages: {@code $SYS/brokers/{node}/clients/{clientId}/{event}} (and the gateway
 * form). {@code connected_at} identifies a connection, so a late disconnect of an old connection never ends a newer
 * one (the EMQX maintainers' own advice, emqx/emqx #14837).
 */
@Singleton
public class EmqxDialect extends BrokerDialect {
    public static final String NAME = "emqx";
    static final String ANCHOR = "$SYS/brokers/";

    /** Every documented {@code reason} (rule-engine docs, emqx-docs #3111/#3128). */
    static final Map<String, Disconnect> REASONS = Map.ofEntries(
            Map.entry("normal", Disconnect.client(ReasonCodes.NORMAL_DISCONNECTION)),
            Map.entry("kicked", Disconnect.server(0x98)),
            Map.entry("keepalive_timeout", Disconnect.server(ReasonCodes.KEEP_ALIVE_TIMEOUT)),
            Map.entry("idle_timeout", Disconnect.server(ReasonCodes.KEEP_ALIVE_TIMEOUT)),
            Map.entry("takenover", Disconnect.server(ReasonCodes.SESSION_TAKEN_OVER)),
            Map.entry("discarded", Disconnect.server(ReasonCodes.SESSION_TAKEN_OVER)),
            Map.entry("not_authorized", Disconnect.server(ReasonCodes.NOT_AUTHORIZED)),
            Map.entry("banned", Disconnect.server(0x8A)),
            Map.entry("malformed_packet", Disconnect.server(0x81)),
            Map.entry("zero_remaining_len", Disconnect.server(0x81)),
            Map.entry("unexpected_packet", Disconnect.server(0x82)),
            Map.entry("invalid_proto_name", Disconnect.server(0x82)),
            Map.entry("invalid_topic", Disconnect.server(0x90)),
            Map.entry("bad_username_or_password", Disconnect.server(ReasonCodes.BAD_USER_NAME_OR_PASSWORD)),
            Map.entry("client_identifier_not_valid", Disconnect.server(0x85)),
            Map.entry("internal_error", Disconnect.server(0x83)),
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
        String event = topic.substring(topic.lastIndexOf('/') + 1);
        JsonNode root = JsonFields.object(mapper, payload);
        String clientId = JsonFields.identifier(root, "clientid");
        if (clientId == null) {
            clientId = fromTopic(topic);
        }
        clientId = JsonFields.clientId(clientId);
        String node = nodeFromTopic(topic);
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
                        : REASONS.getOrDefault(reason, Disconnect.server(0x80));
                builder = LifecycleEvent.builder(EventType.DISCONNECTED, clientId, time(root, "disconnected_at"))
                        .initiator(disconnect.initiator())
                        .reasonCode(disconnect.code())
                        .reason(reason == null ? null : disconnect.reason(reason));
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
        return List.of(builder.connectionId(connectedAt == null ? null : "emqx:" + connectedAt)
                .ipAddress(JsonFields.text(root, "ipaddress"))
                .username(JsonFields.text(root, "username"))
                .protocolVersion(protocol(JsonFields.integer(root, "proto_ver", 0, 255)))
                .node(node)
                .dialect(NAME)
                .build());
    }

    /** The event's own time field, else {@code ts}. */
    private static Instant time(JsonNode root, String field) throws DecodeException {
        if (field != null && root.hasNonNull(field)) {
            return JsonFields.instant(root, field);
        }
        return JsonFields.instant(root, "ts");
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
