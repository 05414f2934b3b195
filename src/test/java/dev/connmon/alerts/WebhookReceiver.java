package dev.connmon.alerts;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on loopback for alert webhooks, and the test rules that deliver to it. It refuses (503) as
 * many requests about a client as {@link #refuseNext} says for it, then accepts: keyed by client, so that another
 * test's late delivery cannot take the refusal meant for this one.
 */
public class WebhookReceiver implements QuarkusTestResourceLifecycleManager {
    static final String SECRET = "receiver-secret";

    /** One request as received. */
    record Received(String body, String delivery, String signature, int answered) {}

    static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final Map<String, AtomicInteger> REFUSALS = new ConcurrentHashMap<>();

    /** Refuses the next {@code requests} deliveries whose body names {@code clientId}. */
    static void refuseNext(String clientId, int requests) {
        REFUSALS.put('"' + clientId + '"', new AtomicInteger(requests));
    }

    private static boolean refuse(String body) {
        for (Map.Entry<String, AtomicInteger> refusal : REFUSALS.entrySet()) {
            if (body.contains(refusal.getKey()) && refusal.getValue().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return true;
            }
        }
        return false;
    }

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = refuse(body) ? 503 : 204;
            RECEIVED.add(new Received(
                    body,
                    exchange.getRequestHeaders().getFirst("X-Connmon-Delivery"),
                    exchange.getRequestHeaders().getFirst("X-Connmon-Signature"),
                    status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        String hook = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
        return Map.ofEntries(
                Map.entry("connmon.alerts.evaluate-every", "PT0.2S"),
                Map.entry("connmon.alerts.t-offline.when", "offline"),
                Map.entry("connmon.alerts.t-offline.for", "PT2S"),
                Map.entry("connmon.alerts.t-offline.filter", "clientIdPrefix=alert-off-"),
                Map.entry("connmon.alerts.t-offline.webhook", hook),
                Map.entry("connmon.alerts.t-offline.webhook-secret", SECRET),
                Map.entry("connmon.alerts.t-silent.when", "silent"),
                Map.entry("connmon.alerts.t-silent.for", "PT2S"),
                Map.entry("connmon.alerts.t-silent.filter", "clientIdPrefix=alert-silent-"),
                Map.entry("connmon.alerts.t-flap.when", "flapping"),
                Map.entry("connmon.alerts.t-flap.filter", "clientIdPrefix=alert-flap-"),
                Map.entry("connmon.alerts.t-fleet.when", "fleet-drop"),
                Map.entry("connmon.alerts.t-fleet.for", "PT1M"),
                Map.entry("connmon.alerts.t-fleet.threshold", "0.5"),
                Map.entry("connmon.alerts.t-fleet.filter", "clientIdPrefix=alert-fleet-"));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
