package dev.connmon.lifecycle.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.Mqtt5DisconnectReasonCode;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Locale;

/**
 * Watson IoT Platform / IBM MessageSight monitoring messages on {@code iot-2/type/{typeId}/id/{deviceId}/mon} and
 * {@code iot-2/app/{appId}/mon}. {@code ClientID} is the Watson client id ({@code d:{org}:{type}:{id}});
 * {@code ConnectTime} names the connection (a Disconnect carries its connection's ConnectTime). The platform's
 * {@code Reason} is free text and {@code CloseCode} is undocumented: only a normal completion is mapped to a client
 * disconnect, any other Reason is kept as text with initiator {@code server}.
 */
@Singleton
public class WatsonDialect extends BrokerDialect {
    public static final String NAME = "watson";
    static final String ANCHOR = "iot-2/";
    /** The device and application status topics (docs/api.md §7): what Watson applications subscribe to. */
    public static final List<String> STATUS_FILTERS = List.of("iot-2/type/+/id/+/mon", "iot-2/app/+/mon");

    private final ObjectMapper mapper;

    WatsonDialect(ObjectMapper mapper) {
        super(NAME, ANCHOR);
        this.mapper = mapper;
    }

    @Override
    public boolean matches(String topic) {
        return topic.startsWith(ANCHOR) && topic.endsWith("/mon");
    }

    @Override
    public List<LifecycleEvent> decode(String topic, byte[] payload) throws DecodeException {
        JsonNode root = JsonFields.object(mapper, payload);
        String clientId = JsonFields.clientId(JsonFields.identifier(root, "ClientID"));
        String action = JsonFields.requiredText(root, "Action");
        LifecycleEvent.Builder builder = switch (action) {
            case "Connect" -> LifecycleEvent.builder(EventType.CONNECTED, clientId, JsonFields.instant(root, "Time"));
            case "Disconnect" -> {
                String reason = JsonFields.text(root, "Reason");
                boolean normal =
                        reason == null || reason.toLowerCase(Locale.ROOT).contains("completed normally");
                yield LifecycleEvent.builder(EventType.DISCONNECTED, clientId, JsonFields.instant(root, "Time"))
                        .initiator(normal ? Initiator.CLIENT : Initiator.SERVER)
                        .reasonCode(normal ? Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION.code() : null)
                        .reason(reason);
            }
            default -> throw new DecodeException("unknown Watson Action '" + JsonFields.abbreviate(action) + "'");
        };
        String connectTime = JsonFields.text(root, "ConnectTime");
        return List.of(builder.connectionId(
                        connectTime == null
                                ? null
                                : "watson:"
                                        + JsonFields.instant(root, "ConnectTime")
                                                .toEpochMilli())
                .ipAddress(JsonFields.text(root, "ClientAddr"))
                .port(JsonFields.integer(root, "Port", 0, 65535))
                .username(JsonFields.text(root, "User"))
                .protocolVersion(protocol(JsonFields.text(root, "Protocol")))
                .dialect(NAME)
                .build());
    }

    /** {@code mqtt4}, {@code mqtt4-ws} → 3.1.1, {@code mqtt5} → 5.0, {@code mqtt3} → 3.1; others as sent. */
    static String protocol(String protocol) {
        if (protocol == null) {
            return null;
        }
        if (protocol.startsWith("mqtt4")) {
            return "3.1.1";
        }
        if (protocol.startsWith("mqtt5")) {
            return "5.0";
        }
        if (protocol.startsWith("mqtt3")) {
            return "3.1";
        }
        return protocol;
    }
}
