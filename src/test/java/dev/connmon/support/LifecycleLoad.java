package dev.connmon.support;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5ConnectBuilder;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * A known stream of distinct canonical events (docs/api.md §1) for reliability tests: {@code perClient} alternating
 * connects and disconnects for each of {@code clients} clients, each a log entry of its own, so that the log's row
 * count says exactly how many arrived (the log keeps one row per distinct event: a redelivery adds none).
 */
public final class LifecycleLoad {
    private static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");

    private final String prefix;
    private final int clients;
    private final int perClient;

    public LifecycleLoad(String name, int clients, int perClient) {
        this.prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        this.clients = clients;
        this.perClient = perClient;
    }

    public int size() {
        return clients * perClient;
    }

    public String prefix() {
        return prefix;
    }

    /** Event {@code k} of the stream: round {@code k / clients} of client {@code k % clients}. */
    public JsonObject event(int k) {
        int client = k % clients;
        int round = k / clients;
        String clientId = prefix + client;
        Instant time = T0.plusSeconds(round).plusMillis(client % 1000);
        String connectionId = clientId + "/" + round / 2;
        JsonObject event = new JsonObject()
                .put("clientId", clientId)
                .put("time", time.toString())
                .put("connectionId", connectionId);
        return round % 2 == 0
                ? event.put("event", "connected").put("protocolVersion", "5.0").put("ipAddress", "192.0.2.1")
                : event.put("event", "disconnected").put("initiator", "client").put("reasonCode", 0);
    }

    public int clients() {
        return clients;
    }

    /** The last event of client number {@code client}: the one its stored state ends on. */
    public JsonObject lastEvent(int client) {
        return event(size() - clients + client);
    }

    /** The connection status every client ends in. */
    public String finalStatus() {
        return (perClient - 1) % 2 == 0 ? "connected" : "disconnected";
    }

    /** A QoS 1 publisher with a session that outlives a broker restart (it resends what was not acknowledged). */
    public static Mqtt5AsyncClient publisher(String host, int port, String username, String password) {
        var builder = MqttClient.builder()
                .useMqttVersion5()
                .identifier("load-" + UUID.randomUUID())
                .serverHost(host)
                .serverPort(port)
                .automaticReconnectWithDefaultConfig();
        Mqtt5AsyncClient client = builder.buildAsync();
        send(client.connectWith().cleanStart(false).sessionExpiryInterval(3600), username, password);
        return client;
    }

    /** A subscriber with a clean session, such as a monitoring application (username null: anonymous). */
    public static Mqtt5AsyncClient reader(String host, int port, String username, String password) {
        Mqtt5AsyncClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier("reader-" + UUID.randomUUID())
                .serverHost(host)
                .serverPort(port)
                .buildAsync();
        send(client.connectWith().cleanStart(true), username, password);
        return client;
    }

    private static void send(
            Mqtt5ConnectBuilder.Send<CompletableFuture<Mqtt5ConnAck>> connect, String username, String password) {
        if (username != null) {
            connect.simpleAuth()
                    .username(username)
                    .password(password.getBytes(StandardCharsets.UTF_8))
                    .applySimpleAuth();
        }
        connect.send().join();
    }

    /** Publishes events {@code from} (inclusive) to {@code to} (exclusive); completes when the broker has them all. */
    public CompletableFuture<Void> publish(Mqtt5AsyncClient client, String topicPrefix, int from, int to) {
        List<CompletableFuture<?>> acks = new ArrayList<>(to - from);
        for (int k = from; k < to; k++) {
            JsonObject event = event(k);
            acks.add(client.publishWith()
                    .topic(topicPrefix + event.getString("clientId"))
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload(event.encode().getBytes(StandardCharsets.UTF_8))
                    .send());
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
    }

    /** Log rows of this stream in the database at {@code jdbcUrl}, or -1 while it cannot be reached. */
    public long stored(String jdbcUrl) {
        return logRows(jdbcUrl, prefix);
    }

    /** Log rows of the clients whose id starts with {@code clientIdPrefix}, or -1 while the database is away. */
    public static long logRows(String jdbcUrl, String clientIdPrefix) {
        return query(jdbcUrl, "SELECT count(*) FROM connection_log WHERE client_id LIKE '" + clientIdPrefix + "%'");
    }

    /** Clients of this stream in their final status. */
    public long inFinalStatus(String jdbcUrl) {
        return query(
                jdbcUrl,
                "SELECT count(*) FROM client_state WHERE client_id LIKE '" + prefix + "%' AND connection_status = '"
                        + finalStatus() + "'");
    }

    /** The single number {@code sql} selects, or -1 while the database cannot be reached. */
    public static long query(String jdbcUrl, String sql) {
        try (Connection connection = TestDatabases.connect(jdbcUrl);
                ResultSet rows = connection.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException unreachable) {
            return -1;
        }
    }
}
