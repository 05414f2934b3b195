package dev.connmon.lifecycle.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** The canonical dialect (docs/api.md §1): one JSON event per message, under {@code connmon/events/}. */
@ApplicationScoped
public class ConnmonDialect implements Dialect {
    public static final String NAME = "connmon";

    private final ObjectMapper mapper;
    private final String topicPrefix;

    ConnmonDialect(ObjectMapper mapper, ConnmonConfig config) {
        this.mapper = mapper;
        this.topicPrefix = config.canonical().topicPrefix();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean matches(String topic) {
        return topic.startsWith(topicPrefix);
    }

    @Override
    public List<LifecycleEvent> decode(String topic, byte[] payload) throws DecodeException {
        JsonNode root = JsonFields.object(mapper, payload);
        String eventName = JsonFields.requiredText(root, "event");
        EventType type = EventType.fromWireName(eventName)
                .orElseThrow(() -> new DecodeException("unknown event '" + JsonFields.abbreviate(eventName) + "'"));
        String clientId = JsonFields.clientId(JsonFields.requiredIdentifier(root, "clientId"));
        String initiatorName = JsonFields.text(root, "initiator");
        Initiator initiator = null;
        if (initiatorName != null) {
            initiator = Initiator.fromWireName(initiatorName)
                    .orElseThrow(() -> new DecodeException("field 'initiator' must be client, server or network"));
        }
        return List.of(LifecycleEvent.builder(type, clientId, JsonFields.instant(root, "time"))
                .initiator(initiator)
                .reasonCode(JsonFields.integer(root, "reasonCode", 0, 255))
                .reason(JsonFields.text(root, "reason"))
                .connectionId(JsonFields.text(root, "connectionId"))
                .ipAddress(JsonFields.text(root, "ipAddress"))
                .port(JsonFields.integer(root, "port", 0, 65535))
                .username(JsonFields.text(root, "username"))
                .protocolVersion(JsonFields.text(root, "protocolVersion"))
                .keepAlive(JsonFields.integer(root, "keepAlive", 0, 65535))
                .cleanStart(JsonFields.bool(root, "cleanStart"))
                .node(JsonFields.text(root, "node"))
                .topic(JsonFields.text(root, "topic"))
                .dialect(NAME)
                .build());
    }
}
