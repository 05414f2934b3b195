package dev.connmon.support;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Real MQTT 5 devices coming and going through the broker connmon reads, for as long as asked: clean disconnects
 * (0x00), disconnects with will (0x04), takeovers (the broker's 0x8E) and dropped sockets, with the share of devices
 * online drifting up and down, so that the dashboard's screenshots show a fleet that lives. Bounded in time and
 * count; every connection is closed at the end.
 */
public final class FleetChurn {
    private final Random random = new Random(16);
    private final Map<String, Mqtt5BlockingClient> online = new HashMap<>();
    private final Map<String, RawMqtt> raw = new HashMap<>();
    private final List<String> ids = new ArrayList<>();

    public FleetChurn(String org, int devices) {
        for (int i = 1; i <= devices; i++) {
            String type = i % 5 == 0 ? "meter" : i % 3 == 0 ? "gateway" : "sensor";
            ids.add(String.format("d:%s:%s:%04d", org, type, i));
        }
    }

    /** Runs until {@code length} has passed, one action every {@code every}. */
    public void run(Duration length, Duration every) throws InterruptedException {
        Instant start = Instant.now();
        Instant end = start.plus(length);
        while (Instant.now().isBefore(end)) {
            double minutes = Duration.between(start, Instant.now()).toMillis() / 60_000.0;
            // the share online drifts between about 45 % and 95 % over a quarter of an hour
            double target = 0.7 + 0.25 * Math.sin(minutes * 2 * Math.PI / 15);
            String id = ids.get(random.nextInt(ids.size()));
            boolean up = online.containsKey(id) || raw.containsKey(id);
            double share = (online.size() + raw.size()) / (double) ids.size();
            if (!up && (share < target || random.nextDouble() < 0.1)) {
                connect(id);
            } else if (up && (share > target || random.nextDouble() < 0.15)) {
                disconnect(id);
            }
            Thread.sleep(every.toMillis());
        }
    }

    private void connect(String id) {
        if (random.nextDouble() < 0.2) {
            try {
                raw.put(id, RawMqtt.connect5(TestMqtt.host(), TestMqtt.port(), id, 60));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        Mqtt5BlockingClient client = TestMqtt.v5(id);
        client.connectWith().keepAlive(60).send();
        online.put(id, client);
    }

    private void disconnect(String id) {
        RawMqtt socket = raw.remove(id);
        if (socket != null) {
            try {
                socket.close(); // the network "lost" it
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        Mqtt5BlockingClient client = online.remove(id);
        double roll = random.nextDouble();
        if (roll < 0.25) {
            // a second connection with the same id: the broker ends the first with 0x8E, then that one leaves
            Mqtt5BlockingClient successor = TestMqtt.v5(id);
            successor.connect();
            successor.disconnect();
        } else if (roll < 0.45) {
            client.disconnectWith()
                    .reasonCode(Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE)
                    .send();
        } else {
            client.disconnect();
        }
    }

    /** Closes every connection still open. */
    public void stop() {
        online.values().forEach(client -> {
            try {
                client.disconnect();
            } catch (RuntimeException ignored) {
                // already gone
            }
        });
        raw.values().forEach(socket -> {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        });
        online.clear();
        raw.clear();
    }
}
