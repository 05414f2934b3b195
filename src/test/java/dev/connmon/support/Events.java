package dev.connmon.support;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** Canonical event payloads (docs/api.md §1) for tests. */
public final class Events {
    private Events() {}

    public static JsonObject event(String type, String clientId, Instant time) {
        return new JsonObject().put("event", type).put("clientId", clientId).put("time", time.toString());
    }

    public static JsonObject connected(String clientId, Instant time, String connectionId) {
        return event("connected", clientId, time)
                .put("connectionId", connectionId)
                .put("protocolVersion", "5.0")
                .put("ipAddress", "192.0.2.10")
                .put("node", "broker-1");
    }

    public static JsonObject disconnected(
            String clientId, Instant time, String connectionId, String initiator, int reasonCode) {
        return event("disconnected", clientId, time)
                .put("connectionId", connectionId)
                .put("initiator", initiator)
                .put("reasonCode", reasonCode);
    }
}
