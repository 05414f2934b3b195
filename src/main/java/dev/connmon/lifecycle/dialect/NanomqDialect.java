package dev.connmon.lifecycle.dialect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.Mqtt5DisconnectReasonCode;
import dev.connmon.lifecycle.ReasonCodes;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * NanoMQ system events on {@code $SYS/brokers/connected} and {@code $SYS/brokers/disconnected}: the client id is
 * only in the payload, reason codes are hex text. NanoMQ gives no connection identity; order follows {@code ts}.
 */
@Singleton
public class NanomqDialect extends BrokerDialect {
    public static final String NAME = "nanomq";
    static final String ANCHOR = "$SYS/brokers/";

    private final ObjectMapper mapper;

    NanomqDialect(ObjectMapper mapper) {
        super(NAME, ANCHOR);
        this.mapper = mapper;
    }

    @Override
    public boolean matches(String topic) {
        return topic.equals("$SYS/brokers/connected") || topic.equals("$SYS/brokers/disconnected");
    }

    @Override
    public List<LifecycleEvent> decode(String topic, byte[] payload) throws DecodeException {
        JsonNode root = JsonFields.object(mapper, payload);
        String clientId = JsonFields.clientId(JsonFields.identifier(root, "client_id"));
        LifecycleEvent.Builder builder;
        if (topic.endsWith("/connected")) {
            int code = hex(JsonFields.text(root, "return_code"), "return_code");
            builder = LifecycleEvent.builder(
                            code == 0 ? EventType.CONNECTED : EventType.CONNECT_FAILED,
                            clientId,
                            JsonFields.instant(root, "ts"))
                    .keepAlive(JsonFields.integer(root, "keepalive", 0, 65535))
                    .protocolVersion(EmqxDialect.protocol(JsonFields.integer(root, "proto_ver", 0, 255)));
            if (code != 0) {
                builder.reasonCode(code).reason(ReasonCodes.connackReason(code));
            }
            Integer cleanStart = JsonFields.integer(root, "clean_start", 0, 1);
            builder.cleanStart(cleanStart == null ? null : cleanStart == 1);
        } else if (topic.endsWith("/disconnected")) {
            builder = LifecycleEvent.builder(EventType.DISCONNECTED, clientId, JsonFields.instant(root, "ts"));
            String reasonCode = JsonFields.text(root, "reason_code");
            // without a code NanoMQ says nothing of who ended the connection: stored as unknown, not as a normal
            // client disconnect (0x00)
            if (reasonCode != null) {
                int code = hex(reasonCode, "reason_code");
                builder.initiator(
                                code == Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION.code()
                                                || code == Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE.code()
                                        ? Initiator.CLIENT
                                        : Initiator.SERVER)
                        .reasonCode(code)
                        .reason(ReasonCodes.disconnectReason(code));
            }
        } else {
            throw new DecodeException("unknown NanoMQ event topic");
        }
        return List.of(builder.username(JsonFields.text(root, "username"))
                .ipAddress(JsonFields.text(root, "IPv4"))
                .dialect(NAME)
                .build());
    }

    private static int hex(String value, String field) throws DecodeException {
        if (value == null) {
            return 0;
        }
        try {
            int code = Integer.parseInt(value.trim(), 16);
            if (code < 0 || code > 255) {
                throw new NumberFormatException();
            }
            return code;
        } catch (NumberFormatException e) {
            throw new DecodeException("field '" + field + "' is not a hex reason code");
        }
    }
}
