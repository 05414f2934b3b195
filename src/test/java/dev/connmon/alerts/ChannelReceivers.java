package dev.connmon.alerts;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Stand-ins on loopback for the receivers that cannot run here (PagerDuty's Events API v2, a Slack incoming webhook, a
 * Teams Workflows webhook), each checking the request against its service's documented schema and answering as that
 * service does; and a free port for the real Alertmanager that a test starts. The test rules route to them: they
 * watch only {@code d:routed:} and {@code d:amtest:} clients.
 */
public class ChannelReceivers implements QuarkusTestResourceLifecycleManager {
    /** A PagerDuty integration's routing key: 32 characters, a secret. */
    static final String ROUTING_KEY = "R0UT1NGKEYsecret0000000000000001";
    /** The secret part of the Slack and Teams webhook URLs. */
    static final String SLACK_SECRET = "XXslackSecretToken0001";

    static final String TEAMS_SECRET = "sig=teamsSecretSignature0002";
    static final String DASHBOARD = "https://connmon.example.com/";
    /** Where the test's Alertmanager listens, once a test has started it. */
    static int alertmanagerPort;

    /** One request as received: the channel, the JSON (null if it was not JSON), what breaks the schema, the answer. */
    record Received(String channel, JsonObject json, List<String> problems, int answered, Instant at) {}

    /** A planned status that is no answer: headers never come, the request is held for {@link #STALL}. */
    static final int STALLS = 0;

    static final java.time.Duration STALL = java.time.Duration.ofSeconds(20);

    static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final Map<String, Queue<Integer>> PLANS = new ConcurrentHashMap<>();

    /** The next requests on {@code channel} whose body names {@code clientId} get these statuses, then the usual. */
    static void plan(String channel, String clientId, Integer... statuses) {
        PLANS.put(channel + ' ' + clientId, new ConcurrentLinkedQueue<>(List.of(statuses)));
    }

    private static Integer planned(String channel, String body) {
        for (Map.Entry<String, Queue<Integer>> plan : PLANS.entrySet()) {
            String key = plan.getKey();
            if (key.startsWith(channel + ' ') && body.contains(key.substring(channel.length() + 1))) {
                return plan.getValue().poll();
            }
        }
        return null;
    }

    private HttpServer server;
    private java.util.concurrent.ExecutorService threads;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                alertmanagerPort = free.getLocalPort();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads = Executors.newCachedThreadPool());
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/pagerduty/v2/enqueue", exchange -> receive(exchange, "pagerduty", 202));
        server.createContext("/slack/services/T0001/B0001/" + SLACK_SECRET, e -> receive(e, "slack", 200));
        server.createContext("/teams/workflows/run", exchange -> receive(exchange, "teams", 202));
        server.start();
        return Map.ofEntries(
                Map.entry("connmon.alerts.pagerduty-url", base + "/pagerduty/v2/enqueue"),
                Map.entry("connmon.alerts.dashboard-url", DASHBOARD),
                Map.entry("connmon.alerts.alertmanager-resend-every", "PT2S"),
                Map.entry("connmon.alerts.t-routed.when", "offline"),
                Map.entry("connmon.alerts.t-routed.for", "PT1S"),
                Map.entry("connmon.alerts.t-routed.filter", "clientIdPrefix=d:routed:"),
                Map.entry("connmon.alerts.t-routed.severity", "critical"),
                Map.entry("connmon.alerts.t-routed.pagerduty-routing-key", ROUTING_KEY),
                Map.entry("connmon.alerts.t-routed.slack", base + "/slack/services/T0001/B0001/" + SLACK_SECRET),
                Map.entry("connmon.alerts.t-routed.teams", base + "/teams/workflows/run?api-version=1&" + TEAMS_SECRET),
                Map.entry("connmon.alerts.t-am.when", "offline"),
                Map.entry("connmon.alerts.t-am.for", "PT1S"),
                Map.entry("connmon.alerts.t-am.filter", "clientIdPrefix=d:amtest:"),
                Map.entry("connmon.alerts.t-am.alertmanager", "http://127.0.0.1:" + alertmanagerPort));
    }

    private static void receive(HttpExchange exchange, String channel, int accepted) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            List<String> problems = new ArrayList<>();
            JsonObject json = null;
            if (!"application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                problems.add("Content-Type is not application/json");
            }
            try {
                json = new JsonObject(body);
            } catch (RuntimeException e) {
                problems.add("not a JSON object");
            }
            if (json != null) {
                switch (channel) {
                    case "pagerduty" -> pagerduty(json, problems);
                    case "slack" -> slack(json, problems);
                    default -> teams(json, problems);
                }
            }
            Integer planned = planned(channel, body);
            int status = planned != null ? planned : problems.isEmpty() ? accepted : 400;
            RECEIVED.add(new Received(channel, json, problems, status, Instant.now()));
            if (status == STALLS) {
                try {
                    Thread.sleep(STALL.toMillis());
                } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            // a hostile or careless receiver may echo what it was sent, the address included: connmon must not keep it
            String answer = status >= 400
                    ? "invalid_payload for " + exchange.getRequestURI() + " " + body
                    : channel.equals("pagerduty") ? "{\"status\":\"success\",\"message\":\"Event processed\"}" : "ok";
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        }
    }

    /** PagerDuty Events API v2: https://developer.pagerduty.com/docs/events-api-v2/trigger-events/ */
    static void pagerduty(JsonObject event, List<String> problems) {
        text(event, "routing_key", problems, 32, 32);
        String action = event.getValue("event_action") instanceof String s ? s : null;
        if (!Set.of("trigger", "acknowledge", "resolve").contains(action)) {
            problems.add("event_action: " + action);
        }
        text(event, "dedup_key", problems, 1, 255);
        if (!"trigger".equals(action)) {
            return;
        }
        if (!(event.getValue("payload") instanceof JsonObject payload)) {
            problems.add("payload: missing on a trigger");
            return;
        }
        text(payload, "summary", problems, 1, 1024);
        text(payload, "source", problems, 1, 255);
        if (!Set.of("critical", "error", "warning", "info").contains(payload.getValue("severity"))) {
            problems.add("payload.severity: " + payload.getValue("severity"));
        }
        if (payload.containsKey("timestamp")) {
            try {
                Instant.parse(payload.getString("timestamp"));
            } catch (DateTimeParseException | ClassCastException e) {
                problems.add("payload.timestamp: not ISO 8601");
            }
        }
        for (String optional : List.of("component", "group", "class")) {
            if (payload.containsKey(optional) && !(payload.getValue(optional) instanceof String)) {
                problems.add("payload." + optional + ": not a string");
            }
        }
        if (payload.containsKey("custom_details") && !(payload.getValue("custom_details") instanceof JsonObject)) {
            problems.add("payload.custom_details: not an object");
        }
        if (event.containsKey("links")) {
            if (!(event.getValue("links") instanceof JsonArray links)) {
                problems.add("links: not an array");
            } else {
                links.forEach(link -> {
                    if (!(link instanceof JsonObject l) || !(l.getValue("href") instanceof String)) {
                        problems.add("links[]: without href");
                    }
                });
            }
        }
    }

    /** Slack incoming webhooks: text (the fallback) and Block Kit blocks, https://api.slack.com/messaging/webhooks */
    static void slack(JsonObject message, List<String> problems) {
        text(message, "text", problems, 1, 40_000);
        if (!(message.getValue("blocks") instanceof JsonArray blocks)) {
            return;
        }
        for (Object item : blocks) {
            if (!(item instanceof JsonObject block) || !(block.getValue("type") instanceof String type)) {
                problems.add("blocks[]: without a type");
                continue;
            }
            if (type.equals("section")) {
                JsonObject text = block.getJsonObject("text");
                if (text == null || !Set.of("mrkdwn", "plain_text").contains(text.getString("type"))) {
                    problems.add("section.text: not a text object");
                } else {
                    text(text, "text", problems, 1, 3000);
                }
            } else if (type.equals("context")) {
                JsonArray elements = block.getJsonArray("elements");
                if (elements == null || elements.isEmpty() || elements.size() > 10) {
                    problems.add("context.elements: 1 to 10");
                }
            }
        }
    }

    /** Teams Workflows: a message with Adaptive Card attachments. */
    static void teams(JsonObject message, List<String> problems) {
        if (!"message".equals(message.getValue("type"))) {
            problems.add("type: not message");
        }
        if (!(message.getValue("attachments") instanceof JsonArray attachments) || attachments.isEmpty()) {
            problems.add("attachments: missing");
            return;
        }
        for (Object item : attachments) {
            JsonObject attachment = (JsonObject) item;
            if (!"application/vnd.microsoft.card.adaptive".equals(attachment.getValue("contentType"))) {
                problems.add("attachments[].contentType: " + attachment.getValue("contentType"));
            }
            if (!(attachment.getValue("content") instanceof JsonObject card)) {
                problems.add("attachments[].content: missing");
                continue;
            }
            if (!"AdaptiveCard".equals(card.getValue("type")) || !(card.getValue("version") instanceof String)) {
                problems.add("content: not an AdaptiveCard with a version");
            }
            if (!(card.getValue("body") instanceof JsonArray body) || body.isEmpty()) {
                problems.add("content.body: missing");
            } else {
                body.forEach(element -> {
                    if (!(element instanceof JsonObject e) || !(e.getValue("type") instanceof String)) {
                        problems.add("content.body[]: without a type");
                    }
                });
            }
            if (card.getValue("actions") instanceof JsonArray actions) {
                actions.forEach(action -> {
                    JsonObject a = (JsonObject) action;
                    if ("Action.OpenUrl".equals(a.getValue("type")) && !(a.getValue("url") instanceof String)) {
                        problems.add("Action.OpenUrl: without url");
                    }
                });
            }
        }
    }

    private static void text(JsonObject object, String field, List<String> problems, int min, int max) {
        if (!(object.getValue(field) instanceof String value) || value.length() < min || value.length() > max) {
            problems.add(field + ": not a string of " + min + ".." + max + " characters");
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
