package dev.connmon.alerts;

import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.Events;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A rule's channels beside the webhook (docs/api.md §11), end to end from MQTT events: a real Alertmanager started here
 * on a free port, and PagerDuty, Slack and Teams stand-ins ({@link ChannelReceivers}) that check each payload against
 * the service's schema; retries and recorded attempts as the webhook's, and no secret in the API or the logs.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@QuarkusTestResource(WebhookReceiver.class)
@QuarkusTestResource(ChannelReceivers.class)
class AlertChannelsTest {
    private static final String ALERTS = "/api/v0002/alerts";
    private static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");
    private static final List<String> SECRETS =
            List.of(ChannelReceivers.ROUTING_KEY, ChannelReceivers.SLACK_SECRET, ChannelReceivers.TEAMS_SECRET);
    private static final List<String> LOGGED = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord record) {
            LOGGED.add(String.valueOf(record.getMessage()) + " " + java.util.Arrays.toString(record.getParameters()));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    private static Mqtt5AsyncClient publisher;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void connect() {
        Logger.getLogger("").addHandler(CAPTURE);
        publisher = TestMqtt.eventPublisher("channels-" + UUID.randomUUID());
    }

    @AfterAll
    static void disconnect() {
        Logger.getLogger("").removeHandler(CAPTURE);
        publisher.disconnect().join();
    }

    @Test
    void anOfflineClientIsPagedOnPagerDutySlackAndTeamsRetriedLikeTheWebhookAndResolvedThere() {
        String id = "d:routed:pump:" + UUID.randomUUID();
        ChannelReceivers.plan("pagerduty", id, 503);
        ChannelReceivers.plan("slack", id, 400);
        Instant t0 = Instant.now();
        publish(Events.connected(id, t0.minusSeconds(10), "c1"));
        publish(Events.disconnected(id, t0, "c1", "network", 0x8D));

        await().atMost(Duration.ofSeconds(20))
                .until(() -> received("pagerduty", id).size() == 2
                        && received("slack", id).size() == 2
                        && received("teams", id).size() == 1);
        Map<String, Object> alert = alerts(id).get(0);
        String alertId = (String) alert.get("id");
        String link = ChannelReceivers.DASHBOARD + "#/clients/" + id.replace(":", "%3A");
        assertThat(ChannelReceivers.RECEIVED)
                .allSatisfy(r -> assertThat(r.problems()).isEmpty());

        List<ChannelReceivers.Received> paged = received("pagerduty", id);
        assertThat(paged).extracting(ChannelReceivers.Received::answered).containsExactly(503, 202);
        JsonObject trigger = paged.get(1).json();
        assertThat(trigger.getString("routing_key")).isEqualTo(ChannelReceivers.ROUTING_KEY);
        assertThat(trigger.getString("event_action")).isEqualTo("trigger");
        assertThat(trigger.getString("dedup_key")).isEqualTo(alertId);
        JsonObject payload = trigger.getJsonObject("payload");
        assertThat(payload.getString("source")).isEqualTo(id);
        assertThat(payload.getString("severity")).isEqualTo("critical");
        assertThat(payload.getString("summary")).isEqualTo(id + " is offline since " + alert.get("since"));
        assertThat(payload.getString("timestamp")).isEqualTo(alert.get("since"));
        assertThat(payload.getString("class")).isEqualTo("offline");
        assertThat(payload.getJsonObject("custom_details").getString("last_disconnect"))
                .startsWith("Keep Alive timeout (reason code 0x8D, by network) at ");
        assertThat(trigger.getJsonArray("links").getJsonObject(0).getString("href"))
                .isEqualTo(link);
        assertThat(paged.get(0).json()).isEqualTo(trigger);

        JsonObject slack = received("slack", id).get(1).json();
        String section = slack.getJsonArray("blocks")
                .getJsonObject(0)
                .getJsonObject("text")
                .getString("text");
        assertThat(slack.getString("text")).isEqualTo(id + " is offline since " + alert.get("since"));
        assertThat(section).contains(id, "Last disconnect: Keep Alive timeout", "<" + link + "|Open in connmon>");

        JsonObject teams = received("teams", id).get(0).json();
        JsonObject card = teams.getJsonArray("attachments").getJsonObject(0).getJsonObject("content");
        JsonArray client = card.getJsonArray("body").getJsonObject(1).getJsonArray("inlines");
        assertThat(client.getJsonObject(0).getString("text")).isEqualTo("Client: ");
        assertThat(client.getJsonObject(1).getMap()).containsOnly(Map.entry("type", "TextRun"), Map.entry("text", id));
        assertThat(card.getJsonArray("actions").getJsonObject(0).getString("url"))
                .isEqualTo(link);

        publish(Events.connected(id, Instant.now(), "c2"));
        // a resolve names only the alert (dedup_key)
        await().atMost(Duration.ofSeconds(20))
                .until(() -> resolves(alertId).size() == 1
                        && received("slack", id).size() == 3
                        && received("teams", id).size() == 2);
        assertThat(resolves(alertId).get(0).json().getMap())
                .containsOnly(
                        Map.entry("routing_key", ChannelReceivers.ROUTING_KEY),
                        Map.entry("event_action", "resolve"),
                        Map.entry("dedup_key", alertId));
        assertThat(received("slack", id).get(2).json().getString("text")).startsWith("Resolved: " + id);
        assertThat(received("teams", id).get(1).json().encode()).contains("Resolved: " + id, "\"Good\"");

        // recorded as the webhook's attempts are, by channel; the address is not part of them
        String answer = asReader()
                .when()
                .get(ALERTS + "/" + alertId + "/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        JsonPath deliveries = JsonPath.from(answer);
        assertThat(deliveries.getList("channel"))
                .containsExactly("pagerduty", "pagerduty", "slack", "slack", "teams", "pagerduty", "slack", "teams");
        assertThat(deliveries.getList("type"))
                .containsExactly(
                        "alert.opened",
                        "alert.opened",
                        "alert.opened",
                        "alert.opened",
                        "alert.opened",
                        "alert.resolved",
                        "alert.resolved",
                        "alert.resolved");
        assertThat(deliveries.getList("attempt", Integer.class)).containsExactly(1, 2, 1, 2, 1, 1, 1, 1);
        assertThat(deliveries.getList("status", Integer.class)).containsExactly(503, 202, 400, 200, 202, 202, 200, 202);
        // the Slack stand-in echoed its URL and the PagerDuty one the routing key: connmon kept neither
        assertThat(deliveries.getString("[2].error")).startsWith("answered 400: invalid_payload for <slack path>");
        assertThat(deliveries.getString("[0].error")).contains("<pagerduty address>");
        assertNoSecret(answer);
        assertNoSecret(asReader()
                .when()
                .get(ALERTS + "?clientId=" + id)
                .then()
                .extract()
                .asString());
        assertThat(LOGGED).anyMatch(line -> line.contains(id));
        LOGGED.forEach(AlertChannelsTest::assertNoSecret);
    }

    @Test
    @Tag("long") // mostly waiting out a stalled receiver
    void aStalledSlackHoldsHalfTheConnectionsAtMostAndDelaysNoPage() {
        List<String> ids = java.util.stream.IntStream.range(0, WebhookSender.PER_CHANNEL + 5)
                .mapToObj(i -> "d:routed:pump:" + UUID.randomUUID())
                .toList();
        ids.forEach(id -> ChannelReceivers.plan("slack", id, ChannelReceivers.STALLS));
        Instant t0 = Instant.now();
        ids.forEach(id -> publish(Events.connected(id, t0.minusSeconds(10), "c1")));
        ids.forEach(id -> publish(Events.disconnected(id, t0, "c1", "network", 0x8D)));

        await().atMost(Duration.ofSeconds(30))
                .until(() -> ids.stream()
                        .allMatch(id -> received("pagerduty", id).size() == 1
                                && received("teams", id).size() == 1));
        Instant firstStall = ids.stream()
                .flatMap(id -> received("slack", id).stream())
                .map(ChannelReceivers.Received::at)
                .min(Instant::compareTo)
                .orElseThrow();
        Instant lastPage = ids.stream()
                .map(id -> received("pagerduty", id).get(0).at())
                .max(Instant::compareTo)
                .orElseThrow();
        // every page went out while the stalled Slack attempts still held their connections (deadline 5 s)
        assertThat(lastPage).isBefore(firstStall.plus(WebhookReceiver.TIMEOUT));
        // and Slack had half the connections: no more of its attempts started before a stalled one's deadline
        Instant beforeDeadline = firstStall.plus(WebhookReceiver.TIMEOUT).minusSeconds(1);
        await().atMost(WebhookReceiver.TIMEOUT).until(() -> Instant.now().isAfter(beforeDeadline));
        long stalledAtOnce = ids.stream()
                .flatMap(id -> received("slack", id).stream())
                .filter(r -> r.at().isBefore(beforeDeadline))
                .count();
        assertThat(stalledAtOnce).isEqualTo(WebhookSender.PER_CHANNEL);
    }

    @Test
    void alertmanagerListsTheAlertWithItsLabelsHearsItAgainAfterARestartAndEndsItOnResolution() throws Exception {
        assumeTrue(
                Files.isExecutable(ALERTMANAGER),
                "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)");
        String id = "d:amtest:sensor:" + UUID.randomUUID();
        Process alertmanager = startAlertmanager();
        try {
            publish(Events.connected(id, Instant.now().minusSeconds(10), "c1"));
            publish(Events.disconnected(id, Instant.now(), "c1", "network", 0x8D));
            await().atMost(Duration.ofSeconds(20)).until(() -> listed(id).size() == 1);
            Map<String, Object> alert = alerts(id).get(0);
            JsonObject listed = listed(id).getJsonObject(0);
            assertThat(listed.getJsonObject("labels").getMap())
                    .containsOnly(
                            Map.entry("alertname", "t-am"),
                            Map.entry("client_id", id),
                            Map.entry("client_type", "device"),
                            Map.entry("device_type", "sensor"),
                            Map.entry("condition", "offline"),
                            Map.entry("severity", "warning"));
            assertThat(listed.getJsonObject("annotations").getString("summary"))
                    .isEqualTo(id + " is offline since " + alert.get("since"));
            assertThat(listed.getJsonObject("annotations").getString("alert_id"))
                    .isEqualTo(alert.get("id"));
            assertThat(listed.getJsonObject("annotations").getString("last_disconnect"))
                    .contains("0x8D");
            assertThat(Instant.parse(listed.getString("startsAt")))
                    .isEqualTo(Instant.parse((String) alert.get("since")));
            assertThat(listed.getString("generatorURL"))
                    .isEqualTo(ChannelReceivers.DASHBOARD + "#/clients/" + id.replace(":", "%3A"));
            assertThat(listed.getJsonObject("status").getString("state")).isEqualTo("active");

            // a restarted Alertmanager has forgotten it, and hears it again within the resend interval (PT2S here)
            stop(alertmanager);
            alertmanager = startAlertmanager();
            assertThat(listed(id)).isEmpty();
            await().atMost(Duration.ofSeconds(10)).until(() -> listed(id).size() == 1);

            publish(Events.connected(id, Instant.now(), "c2"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> "resolved".equals(alerts(id).get(0).get("state")));
            // Alertmanager lists only alerts that have not ended; and the repeats stop with the resolution
            await().atMost(Duration.ofSeconds(10)).until(() -> listed(id).isEmpty());
            await().pollDelay(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(4))
                    .until(() -> true);
            assertThat(listed(id)).isEmpty();
            JsonPath deliveries = asReader()
                    .when()
                    .get(ALERTS + "/" + alert.get("id") + "/deliveries")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            assertThat(deliveries.getList("channel")).containsExactly("alertmanager", "alertmanager");
            assertThat(deliveries.getList("type")).containsExactly("alert.opened", "alert.resolved");
            assertThat(deliveries.getList("status", Integer.class)).containsExactly(200, 200);
        } finally {
            stop(alertmanager);
        }
    }

    private static Process startAlertmanager() throws IOException {
        Path dir = Files.createTempDirectory("connmon-alertmanager");
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
        Process process = new ProcessBuilder(
                        ALERTMANAGER.toString(),
                        "--config.file=" + config,
                        "--storage.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + ChannelReceivers.alertmanagerPort,
                        "--cluster.listen-address=")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("alertmanager.log").toFile())
                .start();
        HttpClient client = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20))
                .ignoreExceptions()
                .until(() -> client.send(
                                        HttpRequest.newBuilder(URI.create(alertmanager() + "/-/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200);
        return process;
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    private static String alertmanager() {
        return "http://127.0.0.1:" + ChannelReceivers.alertmanagerPort;
    }

    /** The alerts Alertmanager's own API lists for the client. */
    private JsonArray listed(String clientId) throws IOException, InterruptedException {
        String filter = URLEncoder.encode("client_id=\"" + clientId + "\"", StandardCharsets.UTF_8);
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(alertmanager() + "/api/v2/alerts?filter=" + filter))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return new JsonArray(answer.body());
    }

    private static void assertNoSecret(String text) {
        for (String secret : SECRETS) {
            assertThat(text).doesNotContain(secret);
        }
    }

    private static void publish(JsonObject event) {
        TestMqtt.publishEvent(publisher, "channels", event.encode());
    }

    private static List<Map<String, Object>> alerts(String clientId) {
        return asReader()
                .queryParam("clientId", clientId)
                .when()
                .get(ALERTS)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results");
    }

    /** What the channel's stand-in received about the client. */
    private static List<ChannelReceivers.Received> received(String channel, String clientId) {
        return ChannelReceivers.RECEIVED.stream()
                .filter(r -> r.channel().equals(channel) && r.json() != null)
                .filter(r -> r.json().encode().contains(clientId))
                .toList();
    }

    /** The PagerDuty resolves of the alert, which name only its id. */
    private static List<ChannelReceivers.Received> resolves(String alertId) {
        return ChannelReceivers.RECEIVED.stream()
                .filter(r -> r.channel().equals("pagerduty") && r.json() != null)
                .filter(r -> "resolve".equals(r.json().getValue("event_action"))
                        && alertId.equals(r.json().getValue("dedup_key")))
                .toList();
    }
}
