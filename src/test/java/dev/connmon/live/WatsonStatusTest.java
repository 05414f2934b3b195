package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.state.ChangeReader.Change;
import dev.connmon.state.ChangeReader.Connection;
import dev.connmon.state.ClientState;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Watson status messages a change makes (docs/api.md §7); WatsonApplicationTest sees them through the broker. */
class WatsonStatusTest {
    private final WatsonStatus watson = new WatsonStatus(new ObjectMapper(), true);

    @ParameterizedTest
    @CsvSource(
            value = {
                "d:acme:sensor:0042, iot-2/type/sensor/id/0042/mon",
                "g:acme:gw:hall-1, iot-2/type/gw/id/hall-1/mon",
                "d:acme:sensor:with:colons, iot-2/type/sensor/id/with:colons/mon",
                "d:acme:a/b:c+d#, iot-2/type/a%2Fb/id/c%2Bd%23/mon",
                "a:acme:watcher, iot-2/app/watcher/mon",
                "A:acme:watcher:3, iot-2/app/watcher/mon",
                "d:acme:sensor, null",
                "d:acme::0042, null",
                "A:acme:watcher, iot-2/app/watcher/mon",
                "A:acme:, null",
                "a:acme:, null",
                "sensor-0042, null",
            },
            nullValues = "null")
    void topics(String clientId, String topic) {
        assertThat(WatsonStatus.topic(clientId)).isEqualTo(topic);
    }

    private static ClientState state(String status, String connectTime, String disconnectTime) {
        return new ClientState(
                "d:acme:sensor:1",
                "device",
                status,
                connectTime,
                disconnectTime,
                "mqttConnect",
                connectTime,
                "5.0",
                disconnectTime == null ? null : "server",
                disconnectTime == null ? null : 0x8E,
                disconnectTime == null ? null : "Session taken over",
                "192.0.2.10",
                "use-token-auth",
                "embedded",
                null,
                false,
                null,
                false,
                false,
                false);
    }

    private static JsonObject json(WatsonStatus.Status status) {
        return new JsonObject(new String(status.payload(), StandardCharsets.UTF_8));
    }

    @Test
    void aTakeoverStoredInOneChangeIsTheOldConnectionsDisconnectThenTheNewConnect() {
        Change change = new Change(
                1,
                "d:acme:sensor:1",
                state("connected", "2026-11-26T06:00:01.000Z", "2026-11-26T06:00:00.999Z"),
                "{}",
                new Connection(true, true, 1883, false));
        List<WatsonStatus.Status> statuses = watson.of(change);
        assertThat(statuses).extracting(s -> json(s).getString("Action")).containsExactly("Disconnect", "Connect");
        JsonObject disconnect = json(statuses.get(0));
        assertThat(disconnect.getString("Time")).isEqualTo("2026-11-26T06:00:00.999Z");
        assertThat(disconnect.getInteger("CloseCode")).isEqualTo(0x8E);
        assertThat(disconnect.getString("Reason")).isEqualTo("Disconnected by the server: Session taken over (0x8E)");
        // the stored connection is the new one: none of its fields belong to the old connection's end
        assertThat(disconnect.fieldNames()).doesNotContain("ConnectTime", "ClientAddr", "Port");
        JsonObject connect = json(statuses.get(1));
        assertThat(connect.getMap())
                .containsEntry("Time", "2026-11-26T06:00:01.000Z")
                .containsEntry("ConnectTime", "2026-11-26T06:00:01.000Z")
                .containsEntry("Port", 1883)
                .containsEntry("Protocol", "mqtt5")
                .containsEntry("Durable", true)
                .containsEntry("User", "use-token-auth")
                .containsEntry("ClientAddr", "192.0.2.10");
        assertThat(connect.fieldNames()).doesNotContain("Reason", "CloseCode", "Secure", "ReadMsg");
    }

    @Test
    void activityMakesNoStatusADeletionClearsAndOtherIdsHaveNone() {
        ClientState connected = state("connected", "2026-11-26T06:00:01.000Z", null);
        assertThat(watson.of(
                        new Change(1, "d:acme:sensor:1", connected, "{}", new Connection(false, false, null, null))))
                .isEmpty();
        assertThat(watson.of(new Change(2, "d:acme:sensor:1", null, null, new Connection(false, false, null, null))))
                .singleElement()
                .satisfies(s -> assertThat(s.payload()).isEmpty());
        assertThat(watson.of(new Change(3, "sensor-1", connected, "{}", new Connection(true, false, null, null))))
                .isEmpty();
        assertThat(new WatsonStatus(new ObjectMapper(), false)
                        .of(new Change(4, "d:acme:sensor:1", connected, "{}", new Connection(true, false, null, null))))
                .isEmpty();
    }
}
