package dev.connmon.alerts;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on loopback for alert webhooks, and the test rules that deliver to it. It accepts (204) every
 * request, except those about a client for which a test {@link #plan planned} other answers: keyed by client, so
 * that another test's late delivery cannot take the answer meant for this one. The hostile answers stream and wait
 * on their own threads, so that one of them never holds up the others.
 */
public class WebhookReceiver implements QuarkusTestResourceLifecycleManager {
    static final String SECRET = "receiver-secret";
    /** connmon's deadline per attempt in these tests, long enough for another alert to open while one stalls. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** What the hostile answer sends: 512 MiB, streamed from one small buffer. */
    static final long HUGE = 512L << 20;

    /** An answer a test can plan for a client's next request. */
    enum Answer {
        /** 503, no body. */
        REFUSE,
        /** 200 and {@link #HUGE} bytes of body, written until connmon stops reading. */
        HUGE,
        /** 200 with headers only, then nothing for a minute. */
        STALL,
        /** 303 to {@code /elsewhere}, which would accept anything. */
        REDIRECT
    }

    /** One request as received. */
    record Received(
            String body,
            String delivery,
            String signature,
            String signatureV2,
            String timestamp,
            Instant at,
            int answered) {}

    static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    /** Bytes of each huge answer written before connmon stopped reading, by delivery id, once the answer has ended. */
    static final Map<String, Long> HUGE_WRITTEN = new ConcurrentHashMap<>();
    /** Requests answered by a stall and not yet released. */
    static final AtomicInteger STALLING = new AtomicInteger();
    /** Requests that reached the target of a redirect. */
    static final AtomicInteger ELSEWHERE = new AtomicInteger();

    private static final Map<String, Queue<Answer>> PLANS = new ConcurrentHashMap<>();

    /** Answers the next requests whose body names {@code clientId} with these answers, in order, then accepts. */
    static void plan(String clientId, Answer... answers) {
        Queue<Answer> queue = new ConcurrentLinkedQueue<>();
        Collections.addAll(queue, answers);
        PLANS.put('"' + clientId + '"', queue);
    }

    /** Refuses the next {@code requests} deliveries whose body names {@code clientId}. */
    static void refuseNext(String clientId, int requests) {
        plan(clientId, Collections.nCopies(requests, Answer.REFUSE).toArray(Answer[]::new));
    }

    private static Answer planned(String body) {
        for (Map.Entry<String, Queue<Answer>> plan : PLANS.entrySet()) {
            if (body.contains(plan.getKey())) {
                return plan.getValue().poll();
            }
        }
        return null;
    }

    private HttpServer server;
    private ExecutorService threads;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads = Executors.newCachedThreadPool();
        server.setExecutor(threads);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Answer answer = planned(body);
            int status = answer == null ? 204 : answer == Answer.REFUSE ? 503 : answer == Answer.REDIRECT ? 303 : 200;
            var headers = exchange.getRequestHeaders();
            RECEIVED.add(new Received(
                    body,
                    headers.getFirst("X-Connmon-Delivery"),
                    headers.getFirst("X-Connmon-Signature"),
                    headers.getFirst("X-Connmon-Signature-V2"),
                    headers.getFirst("X-Connmon-Timestamp"),
                    Instant.now(),
                    status));
            try {
                if (answer == Answer.HUGE) {
                    streamHuge(exchange, headers.getFirst("X-Connmon-Delivery"));
                } else if (answer == Answer.STALL) {
                    stall(exchange);
                } else {
                    if (answer == Answer.REDIRECT) {
                        exchange.getResponseHeaders().add("Location", base + "/elsewhere");
                    }
                    exchange.sendResponseHeaders(status, -1);
                }
            } finally {
                exchange.close();
            }
        });
        server.createContext("/elsewhere", exchange -> {
            ELSEWHERE.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        return Map.ofEntries(
                Map.entry("connmon.alerts.evaluate-every", "PT0.2S"),
                Map.entry("connmon.alerts.webhook-timeout", TIMEOUT.toString()),
                Map.entry("connmon.alerts.t-offline.when", "offline"),
                Map.entry("connmon.alerts.t-offline.for", "PT2S"),
                Map.entry("connmon.alerts.t-offline.filter", "clientIdPrefix=alert-off-"),
                Map.entry("connmon.alerts.t-offline.webhook", base + "/hook"),
                Map.entry("connmon.alerts.t-offline.webhook-secret", SECRET),
                Map.entry("connmon.alerts.t-silent.when", "silent"),
                Map.entry("connmon.alerts.t-silent.for", "PT2S"),
                Map.entry("connmon.alerts.t-silent.filter", "clientIdPrefix=alert-silent-"),
                Map.entry("connmon.alerts.t-flap.when", "flapping"),
                Map.entry("connmon.alerts.t-flap.filter", "clientIdPrefix=alert-flap-"),
                Map.entry("connmon.alerts.t-fleet.when", "fleet-drop"),
                Map.entry("connmon.alerts.t-fleet.for", "PT1M"),
                Map.entry("connmon.alerts.t-fleet.threshold", "0.5"),
                Map.entry("connmon.alerts.t-fleet.filter", "clientIdPrefix=alert-fleet-"),
                // sleepy clients (docs/api.md §10.7): asleep for 4 s after each disconnect, then overdue
                Map.entry("connmon.expectations.t-sleepy.filter", "clientIdPrefix=sleepy-"),
                Map.entry("connmon.expectations.t-sleepy.every", "PT3S"),
                Map.entry("connmon.expectations.t-sleepy.grace", "PT1S"),
                Map.entry("connmon.expectations.t-sleepy-off.filter", "clientIdPrefix=alert-off-sleepy-"),
                Map.entry("connmon.expectations.t-sleepy-off.every", "PT8S"),
                Map.entry("connmon.expectations.t-dozing.filter", "clientIdPrefix=alert-off-dozing-"),
                Map.entry("connmon.expectations.t-dozing.every", "PT1H"),
                Map.entry("connmon.alerts.t-overdue.when", "overdue"),
                Map.entry("connmon.alerts.t-overdue.filter", "clientIdPrefix=sleepy-od-"));
    }

    /** Writes until the whole {@link #HUGE} is sent or connmon closes the connection, counting what got out. */
    private static void streamHuge(HttpExchange exchange, String delivery) throws IOException {
        exchange.sendResponseHeaders(200, HUGE);
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = exchange.getResponseBody()) {
            while (written < HUGE) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException closedByConnmon) {
            // the count so far is the point
        } finally {
            HUGE_WRITTEN.put(delivery, written);
        }
    }

    /** Sends the status and headers, then nothing: for a minute, or until the receiver stops. */
    private static void stall(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, 0);
        exchange.getResponseBody().flush();
        STALLING.incrementAndGet();
        try {
            Thread.sleep(Duration.ofMinutes(1).toMillis());
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } finally {
            STALLING.decrementAndGet();
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
            threads.shutdownNow();
        }
    }
}
