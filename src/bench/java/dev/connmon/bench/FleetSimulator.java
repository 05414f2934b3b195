package dev.connmon.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.connmon.support.RawMqtt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet of simulated MQTT devices (3.1.1 and 5) with realistic churn, for trying connmon and for load:
 * publishes, clean disconnects (MQTT 5 reason 0x00 or 0x04), dropped sockets, keep-alive timeouts, id takeovers and
 * reconnects, at a given rate of actions per second. Prints what it did.
 * <p>
 * {@code ./mvnw -q -Pbench -DskipTests package exec:java -Dbench.main=dev.connmon.bench.FleetSimulator
 * -Dexec.args="--port 1883 --devices 200 --rate 100 --seconds 60"}; with {@code --verify-api http://localhost:8080
 * --api-key key:token} it compares, once the churn has settled, what it did with what connmon reports: connected
 * and known devices, and connmon's connection-log entries of the run per kind against the simulator's own count of
 * what the broker saw.
 * <p>
 * Those counts are exact only if no two actions on one id overlap: an id goes back to the idle pool only when its
 * DISCONNECT is sent or its bare socket is gone, else a reconnect could overtake them and be logged as a takeover.
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
    /** What the broker saw happen, as connmon should log it; compared in {@link #verify()}. */
    private final Map<String, AtomicLong> observed = new LinkedHashMap<>();
    /** Actions still under way (connects, DISCONNECTs, bare sockets): verify waits for them. */
    private final AtomicInteger pending = new AtomicInteger();

    private Instant started;
    private final HttpClient http = HttpClient.newHttpClient();
    /** Bare sockets block for up to the broker's keep-alive check: a thread each, not the common pool's few. */
    private final ExecutorService sockets = Executors.newCachedThreadPool();

    private FleetSimulator(Map<String, String> options) {
        host = options.getOrDefault("host", "127.0.0.1");
        port = Integer.parseInt(options.getOrDefault("port", "1883"));
        devices = Integer.parseInt(options.getOrDefault("devices", "100"));
        rate = Integer.parseInt(options.getOrDefault("rate", "50"));
        seconds = Integer.parseInt(options.getOrDefault("seconds", "30"));
        prefix = options.getOrDefault("prefix", "d:sim:sensor:");
        api = options.get("verify-api");
        apiKey = options.getOrDefault("api-key", "");
        for (String action : List.of(
                "connect",
                "publish",
                "clean disconnect",
                "disconnect with will",
                "socket drop",
                "keep-alive timeout",
                "takeover",
                "failed")) {
            counts.put(action, new AtomicLong());
        }
        for (String kind :
                List.of(CONNECTS, CLIENT_DISCONNECTS, NETWORK_DROPS, KEEP_ALIVE_TIMEOUTS, TAKEOVERS, OTHER)) {
            observed.put(kind, new AtomicLong());
        }
    }

    private static final String CONNECTS = "connects";
    private static final String CLIENT_DISCONNECTS = "client disconnects";
    private static final String NETWORK_DROPS = "network drops";
    private static final String KEEP_ALIVE_TIMEOUTS = "keep-alive timeouts 0x8D";
    private static final String TAKEOVERS = "takeovers 0x8E";
    private static final String OTHER = "other log entries";

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        new FleetSimulator(options).run();
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf(
                "Simulating %d devices on %s:%d, %d actions/s for %d s (ids %s…)%n",
                devices, host, port, rate, seconds, prefix);
        // whole seconds: Mosquitto's log times are, and the log query must not miss the run's first second
        started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int i = 0; i < devices; i++) {
            idle.add(deviceId(i));
        }
        List<CompletableFuture<?>> connecting = new ArrayList<>();
        while (!idle.isEmpty()) {
            connecting.add(connect(idle.remove(idle.size() - 1), false));
        }
        CompletableFuture.allOf(connecting.toArray(CompletableFuture[]::new))
                .exceptionally(e -> null)
                .join();
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
     * Once the churn has settled, what the simulator knows must be what connmon reports for the same ids: its
     * connected devices, the devices it ever connected, and per kind the connection-log entries of this run.
     * Retries for up to 60 s while connmon may still be catching up.
     */
    private void verify() throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (pending.get() > 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        Thread.sleep(5000);
        deadline = Instant.now().plusSeconds(60);
        Map<String, long[]> rows;
        while (true) {
            rows = compare();
            boolean match = rows.values().stream().allMatch(r -> r[0] == r[1]);
            if (match || Instant.now().isAfter(deadline)) {
                break;
            }
            Thread.sleep(5000);
        }
        System.out.printf(
                "Verify against %s (connection log since %s; %d actions still pending):%n",
                api, started, pending.get());
        System.out.printf("  %-26s %10s %10s%n", "", "simulator", "connmon");
        boolean all = true;
        for (Map.Entry<String, long[]> row : rows.entrySet()) {
            long[] v = row.getValue();
            all &= v[0] == v[1];
            System.out.printf("  %-26s %10d %10d  %s%n", row.getKey(), v[0], v[1], v[0] == v[1] ? "MATCH" : "MISMATCH");
        }
        System.out.println(all ? "MATCH" : "MISMATCH");
    }

    /** Each row: the simulator's number, connmon's number. */
    private Map<String, long[]> compare() throws Exception {
        Map<String, long[]> rows = new LinkedHashMap<>();
        synchronized (this) {
            rows.put("connected now", new long[] {connected.size(), countClients("&connectionStatus=connected")});
        }
        rows.put("devices known", new long[] {devices, countClients("")});
        Map<String, Long> logged = countLogEntries();
        for (Map.Entry<String, AtomicLong> kind : observed.entrySet()) {
            rows.put(kind.getKey(), new long[] {kind.getValue().get(), logged.getOrDefault(kind.getKey(), 0L)});
        }
        return rows;
    }

    private int countClients(String filter) throws Exception {
        int count = 0;
        String bookmark = null;
        do {
            String url = api + "/api/v0002/clientconnectionstates?_limit=1000&clientIdPrefix="
                    + URLEncoder.encode(prefix, StandardCharsets.UTF_8) + filter
                    + (bookmark == null ? "" : "&_bookmark=" + bookmark);
            JsonObject page = new JsonObject(get(url));
            count += page.getJsonArray("results").size();
            bookmark = page.getString("bookmark");
        } while (bookmark != null);
        return count;
    }

    /** connmon's connection log of every simulated device since the run started, counted per kind. */
    private Map<String, Long> countLogEntries() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<JsonArray>> logs = new ArrayList<>();
            for (int i = 0; i < devices; i++) {
                String url = api + "/api/v0002/logs/connection?_limit=1000&since=" + started + "&clientId="
                        + URLEncoder.encode(deviceId(i), StandardCharsets.UTF_8);
                logs.add(pool.submit(() -> new JsonArray(get(url))));
            }
            Map<String, Long> counted = new LinkedHashMap<>();
            for (Future<JsonArray> log : logs) {
                JsonArray entries = log.get();
                if (entries.size() >= 1000) {
                    System.out.println("  (a device has 1000 log entries or more: counts are cut there)");
                }
                for (int j = 0; j < entries.size(); j++) {
                    counted.merge(kind(entries.getJsonObject(j)), 1L, Long::sum);
                }
            }
            return counted;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String kind(JsonObject entry) {
        if ("connected".equals(entry.getString("event"))) {
            return CONNECTS;
        }
        if (!"disconnected".equals(entry.getString("event"))) {
            return OTHER;
        }
        Integer code = entry.getInteger("reasonCode");
        return switch (String.valueOf(entry.getString("initiator"))) {
            case "client" -> CLIENT_DISCONNECTS;
            case "network" -> NETWORK_DROPS;
            case "server" ->
                code != null && code == 0x8D ? KEEP_ALIVE_TIMEOUTS : code != null && code == 0x8E ? TAKEOVERS : OTHER;
            default -> OTHER;
        };
    }

    private String get(String url) throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", auth)
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private synchronized void act() {
        int roll = random.nextInt(100);
        if (connected.isEmpty() || (roll < 10 && !idle.isEmpty())) {
            if (!idle.isEmpty()) {
                connect(idle.remove(random.nextInt(idle.size())), false);
            }
            return;
        }
        Object device = connected.get(random.nextInt(connected.size()));
        String id = idOf(device);
        if (roll < 70) {
            publish(device, id);
            return;
        }
        connected.remove(device);
        if (roll < 80) {
            boolean will = random.nextBoolean();
            CompletableFuture<Void> sent;
            if (device instanceof Mqtt5AsyncClient v5) {
                sent = v5.disconnectWith()
                        .reasonCode(
                                will
                                        ? Mqtt5DisconnectReasonCode.DISCONNECT_WITH_WILL_MESSAGE
                                        : Mqtt5DisconnectReasonCode.NORMAL_DISCONNECTION)
                        .send();
                count(will ? "disconnect with will" : "clean disconnect");
            } else {
                sent = ((Mqtt3AsyncClient) device).disconnect();
                count("clean disconnect");
            }
            untilDone(id, sent.thenRun(() -> observe(CLIENT_DISCONNECTS)));
        } else if (roll < 88) {
            // the device's network goes away: a raw connection under its id, closed without DISCONNECT
            count("socket drop");
            untilDone(id, CompletableFuture.runAsync(() -> takeOverRaw(id, 60, true), sockets));
        } else if (roll < 94) {
            count("keep-alive timeout");
            untilDone(id, CompletableFuture.runAsync(() -> takeOverRaw(id, 1, false), sockets));
        } else {
            count("takeover");
            connect(id, true);
        }
    }

    /** The id returns to the idle pool only once {@code action} is over, so that no reconnect overtakes it. */
    private void untilDone(String id, CompletableFuture<?> action) {
        pending.incrementAndGet();
        action.whenComplete((ok, failure) -> {
            if (failure != null) {
                count("failed");
            }
            synchronized (this) {
                idle.add(id);
            }
            pending.decrementAndGet();
        });
    }

    /** A successful connect under an id that is connected already takes that connection over. */
    private CompletableFuture<?> connect(String id, boolean takeover) {
        boolean v5 = random.nextBoolean();
        pending.incrementAndGet();
        CompletableFuture<?> done;
        if (v5) {
            Mqtt5AsyncClient client = MqttClient.builder()
                    .useMqttVersion5()
                    .identifier(id)
                    .serverHost(host)
                    .serverPort(port)
                    .buildAsync();
            done = client.connectWith().keepAlive(30).send().thenRun(() -> added(client, takeover));
        } else {
            Mqtt3AsyncClient client = MqttClient.builder()
                    .useMqttVersion3()
                    .identifier(id)
                    .serverHost(host)
                    .serverPort(port)
                    .buildAsync();
            done = client.connectWith().keepAlive(30).send().thenRun(() -> added(client, takeover));
        }
        return done.exceptionally(e -> {
                    count("failed");
                    synchronized (this) {
                        idle.add(id);
                    }
                    return null;
                })
                .whenComplete((ok, e) -> pending.decrementAndGet());
    }

    private synchronized void added(Object client, boolean takeover) {
        connected.add(client);
        count("connect");
        observe(CONNECTS);
        if (takeover) {
            observe(TAKEOVERS);
        }
    }

    /**
     * Takes the connected id over with a bare socket, then drops it at once or lets its keep-alive run out; counts
     * what the broker saw: the takeover, the connect, and the drop or the timeout.
     */
    private void takeOverRaw(String id, int keepAlive, boolean drop) {
        try {
            RawMqtt raw = RawMqtt.connect(host, port, id, keepAlive);
            observe(CONNECTS);
            observe(TAKEOVERS);
            if (drop) {
                raw.close();
                observe(NETWORK_DROPS);
            } else {
                boolean closedByServer = raw.awaitServerClose();
                raw.close();
                if (!closedByServer) {
                    throw new IllegalStateException("the server kept a silent connection open");
                }
                observe(KEEP_ALIVE_TIMEOUTS);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void publish(Object device, String id) {
        byte[] payload = ("{\"t\":" + (20 + random.nextInt(10)) + "}").getBytes(StandardCharsets.UTF_8);
        String topic = "sim/" + id.replace(':', '/') + "/temp";
        if (device instanceof Mqtt5AsyncClient v5) {
            v5.publishWith()
                    .topic(topic)
                    .qos(MqttQos.AT_MOST_ONCE)
                    .payload(payload)
                    .send();
        } else if (device instanceof Mqtt3AsyncClient v3) {
            v3.publishWith()
                    .topic(topic)
                    .qos(MqttQos.AT_MOST_ONCE)
                    .payload(payload)
                    .send();
        }
        count("publish");
    }

    private static String idOf(Object device) {
        if (device instanceof Mqtt5AsyncClient v5) {
            return v5.getConfig().getClientIdentifier().map(Object::toString).orElseThrow();
        }
        return ((Mqtt3AsyncClient) device)
                .getConfig()
                .getClientIdentifier()
                .map(Object::toString)
                .orElseThrow();
    }

    private void count(String action) {
        counts.get(action).incrementAndGet();
    }

    private void observe(String kind) {
        observed.get(kind).incrementAndGet();
    }

    private String deviceId(int i) {
        return prefix + String.format("%05d", i);
    }
}
