package dev.connmon.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.connmon.support.RawMqtt;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet of simulated MQTT devices (3.1.1 and 5) with realistic churn, for trying connmon and for load:
 * publishes, clean disconnects (MQTT 5 reason 0x00 or 0x04), dropped sockets, keep-alive timeouts, id takeovers and
 * reconnects, at a given rate of actions per second. Prints what it did.
 * <p>
 * {@code ./mvnw -q -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.bench.FleetSimulator
 * -Dexec.args="--port 1883 --devices 200 --rate 100 --seconds 60"}; with {@code --verify-api http://localhost:8080
 * --api-key key:token} it compares, once the churn has settled, what it did with what connmon reports.
 */
public final class FleetSimulator {
    private final String host;
    private final int port;
    private final int devices;
    private final int rate;
    private final int seconds;
    private final String prefix;
    private final String api;
    private final String apiKey;
    private final Random random = new Random(1);
    private final Map<String, AtomicLong> counts = new LinkedHashMap<>();
    private final List<Object> connected = new ArrayList<>();
    private final List<String> idle = new ArrayList<>();

    private FleetSimulator(Map<String, String> options) {
        host = options.getOrDefault("host", "127.0.0.1");
        port = Integer.parseInt(options.getOrDefault("port", "1883"));
        devices = Integer.parseInt(options.getOrDefault("devices", "100"));
        rate = Integer.parseInt(options.getOrDefault("rate", "50"));
        seconds = Integer.parseInt(options.getOrDefault("seconds", "30"));
        prefix = options.getOrDefault("prefix", "d:sim:sensor:");
        api = options.get("verify-api");
        apiKey = options.getOrDefault("api-key", "");
        for (String action : List.of("connect", "publish", "clean disconnect", "disconnect with will", "socket drop",
                "keep-alive timeout", "takeover", "failed")) {
            counts.put(action, new AtomicLong());
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        new FleetSimulator(options).run();
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf("Simulating %d devices on %s:%d, %d actions/s for %d s (ids %s…)%n", devices, host, port,
                rate, seconds, prefix);
        for (int i = 0; i < devices; i++) {
            idle.add(prefix + String.format("%05d", i));
        }
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        while (!idle.isEmpty()) {
            connecting.add(connect(idle.remove(idle.size() - 1)));
        }
        CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        Instant end = Instant.now().plusSeconds(seconds);
        long interval = Math.max(1, 1_000_000_000L / rate);
        long next = System.nanoTime();
        Instant report = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(end)) {
            act();
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (Instant.now().isAfter(report)) {
                System.out.println("  " + counts);
                report = Instant.now().plusSeconds(10);
            }
        }
        System.out.println("Done: " + counts);
        if (api != null) {
            verify();
        }
    }

    /**
     * Once the churn has settled, what the simulator knows (its devices that are connected, the devices it ever
     * connected) must be what connmon reports for the same ids.
     */
    private void verify() throws Exception {
        Thread.sleep(5000);
        int believedConnected;
        synchronized (this) {
            believedConnected = connected.size();
        }
        int connmonConnected = countClients("&connectionStatus=connected");
        int connmonKnown = countClients("");
        System.out.printf("Verify against %s: simulator connected %d, connmon connected %d; devices %d, connmon knows %d%n",
                api, believedConnected, connmonConnected, devices, connmonKnown);
        System.out.println(believedConnected == connmonConnected && devices == connmonKnown ? "MATCH" : "MISMATCH");
    }

    private int countClients(String filter) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8));
        int count = 0;
        String bookmark = null;
        do {
            String url = api + "/api/v0002/clientconnectionstates?_limit=1000&clientIdPrefix="
                    + java.net.URLEncoder.encode(prefix, StandardCharsets.UTF_8) + filter
                    + (bookmark == null ? "" : "&_bookmark=" + bookmark);
            String body = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .header("Authorization", auth).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            io.vertx.core.json.JsonObject page = new io.vertx.core.json.JsonObject(body);
            count += page.getJsonArray("results").size();
            bookmark = page.getString("bookmark");
        } while (bookmark != null);
        return count;
    }

    private synchronized void act() {
        int roll = random.nextInt(100);
        if (connected.isEmpty() || (roll < 10 && !idle.isEmpty())) {
            if (!idle.isEmpty()) {
                connect(idle.remove(random.nextInt(idle.size())));
            }
            return;
        }
        Object device = connected.get(random.nextInt(connected.size()));
        String id = idOf(device);
        if (roll < 70) {
            publish(device, id);
        } else if (roll < 80) {
            connected.remove(device);
            boolean will = random.nextBoolean();
            if (device instanceof Mqtt5AsyncClient v5) {
                v5.disconnectWith().reasonCode(will ? Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE
                        : Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION).send();
                count(will ? "disconnect with will" : "clean disconnect");
            } else if (device instanceof Mqtt3AsyncClient v3) {
                v3.disconnect();
                count("clean disconnect");
            }
            idle.add(id);
        } else if (roll < 88) {
            // the device's network goes away: a raw connection under its id, closed without DISCONNECT
            connected.remove(device);
            takeOverRaw(id, 60, true);
            count("socket drop");
            idle.add(id);
        } else if (roll < 94) {
            connected.remove(device);
            takeOverRaw(id, 1, false);
            count("keep-alive timeout");
            idle.add(id);
        } else {
            connected.remove(device);
            connect(id);
            count("takeover");
        }
    }

    private CompletableFuture<?> connect(String id) {
        boolean v5 = random.nextBoolean();
        CompletableFuture<?> done;
        if (v5) {
            Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(id).serverHost(host)
                    .serverPort(port).buildAsync();
            done = client.connectWith().keepAlive(30).send().thenRun(() -> added(client));
        } else {
            Mqtt3AsyncClient client = MqttClient.builder().useMqttVersion3().identifier(id).serverHost(host)
                    .serverPort(port).buildAsync();
            done = client.connectWith().keepAlive(30).send().thenRun(() -> added(client));
        }
        return done.exceptionally(e -> {
            count("failed");
            return null;
        });
    }

    private synchronized void added(Object client) {
        connected.add(client);
        count("connect");
    }

    /** Takes the id over with a bare socket, then drops it at once or lets its keep-alive run out. */
    private void takeOverRaw(String id, int keepAlive, boolean drop) {
        CompletableFuture.runAsync(() -> {
            try {
                RawMqtt raw = RawMqtt.connect(host, port, id, keepAlive);
                if (drop) {
                    raw.close();
                } else {
                    raw.awaitServerClose();
                    raw.close();
                }
            } catch (Exception e) {
                count("failed");
            }
        });
    }

    private void publish(Object device, String id) {
        byte[] payload = ("{\"t\":" + (20 + random.nextInt(10)) + "}").getBytes(StandardCharsets.UTF_8);
        String topic = "sim/" + id.replace(':', '/') + "/temp";
        if (device instanceof Mqtt5AsyncClient v5) {
            v5.publishWith().topic(topic).qos(MqttQos.AT_MOST_ONCE).payload(payload).send();
        } else if (device instanceof Mqtt3AsyncClient v3) {
            v3.publishWith().topic(topic).qos(MqttQos.AT_MOST_ONCE).payload(payload).send();
        }
        count("publish");
    }

    private static String idOf(Object device) {
        if (device instanceof Mqtt5AsyncClient v5) {
            return v5.getConfig().getClientIdentifier().map(Object::toString).orElseThrow();
        }
        return ((Mqtt3AsyncClient) device).getConfig().getClientIdentifier().map(Object::toString).orElseThrow();
    }

    private void count(String action) {
        counts.get(action).incrementAndGet();
    }

}
