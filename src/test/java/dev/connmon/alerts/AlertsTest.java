package dev.connmon.alerts;

import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.Events;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.SseClient;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alert rules against real events through the embedded broker, with a real webhook receiver on loopback
 * (docs/api.md §11): debounce, one alert per episode, signed and retried webhooks, resolution.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
// global like every test resource here: one application for all classes (a restart in the same JVM carries
// Micrometer's root registry over); its rules watch only alert-* clients
@QuarkusTestResource(WebhookReceiver.class)
class AlertsTest {
    private static final String ALERTS = "/api/v0002/alerts";
    private static Mqtt5AsyncClient publisher;

    @jakarta.inject.Inject
    io.vertx.mutiny.sqlclient.Pool pool;

    @BeforeAll
    static void connect() {
        publisher = TestMqtt.eventPublisher("alerts-" + UUID.randomUUID());
    }

    @AfterAll
    static void disconnect() {
        publisher.disconnect().join();
    }

    private static void publish(JsonObject event) {
        TestMqtt.publishEvent(publisher, "alerts", event.encode());
    }

    private static List<Map<String, Object>> alerts(String query) {
        return asReader()
                .when()
                .get(ALERTS + "?" + query)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results");
    }

    @Test
    void anOfflineClientOpensOneSignedRetriedAlertAfterForAndItsReconnectResolvesIt() {
        String id = "alert-off-" + UUID.randomUUID();
        Instant t0 = Instant.now();
        WebhookReceiver.refuseNext(id, 1);
        publish(Events.connected(id, t0.minusSeconds(10), "c1"));
        publish(Events.disconnected(id, t0, "c1", "network", 0x8D));

        // not before for (2 s) has passed since the disconnect
        await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(alerts("clientId=" + id)).isEmpty();
        await().atMost(Duration.ofSeconds(15))
                .until(() -> alerts("clientId=" + id).size() == 1);
        Map<String, Object> alert = alerts("clientId=" + id).get(0);
        assertThat(alert)
                .containsEntry("rule", "t-offline")
                .containsEntry("condition", "offline")
                .containsEntry("state", "open")
                .containsEntry("clientId", id)
                .containsEntry("resolvedAt", null);
        assertThat(Instant.parse((String) alert.get("since")))
                .isEqualTo(t0.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertThat(Duration.between(t0, Instant.parse((String) alert.get("openedAt"))))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        assertThat(((Map<?, ?>) alert.get("clientState")).get("connectionStatus"))
                .isEqualTo("disconnected");

        // refused once, then delivered: same delivery id, valid signature
        await().atMost(Duration.ofSeconds(20)).until(() -> received(id).stream().anyMatch(r -> r.answered() == 204));
        List<WebhookReceiver.Received> opened = received(id);
        assertThat(opened).hasSize(2);
        assertThat(opened).extracting(WebhookReceiver.Received::answered).containsExactly(503, 204);
        assertThat(opened.get(0).delivery()).isEqualTo(opened.get(1).delivery());
        for (WebhookReceiver.Received request : opened) {
            // signed with the time of each attempt (docs/api.md §11), and the body alone for older receivers
            long timestamp = Long.parseLong(request.timestamp());
            assertThat(timestamp)
                    .isBetween(request.at().getEpochSecond() - 5, request.at().getEpochSecond());
            assertThat(request.signatureV2())
                    .isEqualTo(
                            "sha256=" + WebhookSender.hmac(WebhookReceiver.SECRET, timestamp + "." + request.body()));
            assertThat(request.signature())
                    .isEqualTo("sha256=" + WebhookSender.hmac(WebhookReceiver.SECRET, request.body()));
            JsonObject body = new JsonObject(request.body());
            assertThat(body.getString("type")).isEqualTo("alert.opened");
            assertThat(body.getString("deliveryId")).isEqualTo(request.delivery());
            assertThat(body.getJsonObject("alert").getString("id")).isEqualTo(alert.get("id"));
        }

        // the retained alert topic holds it while it is open, for API-key readers (docs/api.md §8, §11)
        String topic = "connmon/alerts/t-offline/" + id;
        assertThat(retained(topic))
                .isNotNull()
                .satisfies(payload ->
                        assertThat(new JsonObject(payload).getString("id")).isEqualTo(alert.get("id")));

        publish(Events.connected(id, Instant.now(), "c2"));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "resolved".equals(alerts("clientId=" + id).get(0).get("state")));
        await().atMost(Duration.ofSeconds(15)).until(() -> received(id).size() == 3);
        JsonObject resolved = new JsonObject(received(id).get(2).body());
        assertThat(resolved.getString("type")).isEqualTo("alert.resolved");
        assertThat(resolved.getJsonObject("alert").getString("resolvedAt")).isNotNull();

        JsonPath deliveries = asReader()
                .when()
                .get(ALERTS + "/" + alert.get("id") + "/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(deliveries.getList("type")).containsExactly("alert.opened", "alert.opened", "alert.resolved");
        assertThat(deliveries.getList("attempt", Integer.class)).containsExactly(1, 2, 1);
        assertThat(deliveries.getList("status", Integer.class)).containsExactly(503, 204, 204);
        await().atMost(Duration.ofSeconds(10)).until(() -> retained(topic) == null);
        // one episode, one alert
        assertThat(alerts("clientId=" + id)).hasSize(1);
    }

    @Test
    void theAlertStreamShowsOpeningAndResolutionAndReplaysFromLastEventId() {
        String id = "alert-off-" + UUID.randomUUID();
        try (SseClient stream = SseClient.open(ALERTS + "?rule=t-offline&clientId=" + id)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !stream.named(":").isEmpty());
            Instant t0 = Instant.now();
            publish(Events.connected(id, t0.minusSeconds(10), "c1"));
            publish(Events.disconnected(id, t0, "c1", "network", 0x8D));
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> stream.named("alert").size() == 1);
            publish(Events.connected(id, Instant.now(), "c2"));
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> stream.named("alert").size() == 2);
            List<SseClient.Event> events = stream.named("alert");
            assertThat(events)
                    .extracting(e -> new JsonObject(e.data()).getString("state"))
                    .containsExactly("open", "resolved");
            assertThat(events)
                    .extracting(e -> new JsonObject(e.data()).getString("clientId"))
                    .containsOnly(id);
            assertThat(Long.parseLong(events.get(1).id()))
                    .isGreaterThan(Long.parseLong(events.get(0).id()));

            try (SseClient resumed = SseClient.open(
                    ALERTS + "?clientId=" + id,
                    Map.of("Last-Event-ID", events.get(0).id()))) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> resumed.named("alert").size() == 1);
                assertThat(new JsonObject(resumed.named("alert").get(0).data()).getString("state"))
                        .isEqualTo("resolved");
            }
        }
        asReader()
                .accept("text/event-stream")
                .when()
                .get(ALERTS + "?lastEventId=x")
                .then()
                .statusCode(400);
    }

    @Test
    void aClientBackWithinForNeverAlerts() throws InterruptedException {
        String id = "alert-off-" + UUID.randomUUID();
        Instant t0 = Instant.now();
        publish(Events.connected(id, t0.minusSeconds(10), "c1"));
        publish(Events.disconnected(id, t0, "c1", "network", 0x8D));
        Thread.sleep(800);
        publish(Events.connected(id, Instant.now(), "c2"));
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(alerts("clientId=" + id)).isEmpty();
        assertThat(received(id)).isEmpty();
    }

    @Test
    void aSilentClientOpensAnAlertAndItsNextActResolvesIt() {
        String id = "alert-silent-" + UUID.randomUUID();
        publish(Events.connected(id, Instant.now(), "c1"));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> alerts("rule=t-silent&clientId=" + id).size() == 1);
        assertThat(alerts("clientId=" + id).get(0))
                .containsEntry("condition", "silent")
                .containsEntry("state", "open");
        publish(Events.event("published", id, Instant.now()).put("topic", "t/1"));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "resolved".equals(alerts("clientId=" + id).get(0).get("state")));
    }

    /** Five disconnects back-dated so that the flapping window passes 8 s from now, with no further event. */
    @Test
    void aFlappingClientOpensAnAlertThatResolvesWhenItStopsFlappingByTimeAlone() {
        String id = "alert-flap-" + UUID.randomUUID();
        Instant first = Instant.now().minus(Duration.ofMinutes(10)).plusSeconds(8);
        for (int i = 0; i < 5; i++) {
            publish(Events.connected(id, first.plusSeconds(i).minusMillis(500), "c" + i));
            publish(Events.disconnected(id, first.plusSeconds(i), "c" + i, "network", 0x8D));
        }
        await().atMost(Duration.ofSeconds(15))
                .until(() -> alerts("rule=t-flap&clientId=" + id).size() == 1);
        Map<String, Object> alert = alerts("rule=t-flap&clientId=" + id).get(0);
        assertThat(alert).containsEntry("condition", "flapping").containsEntry("state", "open");
        assertThat(Instant.parse((String) alert.get("since")))
                .isEqualTo(first.plusSeconds(4).truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "resolved"
                        .equals(alerts("rule=t-flap&clientId=" + id).get(0).get("state")));
        assertThat(alerts("rule=t-flap&clientId=" + id)).hasSize(1);
    }

    @Test
    void sixOfTenWatchedClientsDroppingOpenOneFleetAlertThatResolvesUnderTheThreshold() throws InterruptedException {
        Instant t0 = Instant.now();
        for (int i = 0; i < 10; i++) {
            publish(Events.connected("alert-fleet-" + i, t0.minusSeconds(5), "c" + i));
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> asReader()
                                .when()
                                .get(
                                        "/api/v0002/clientconnectionstates?clientIdPrefix=alert-fleet-&connectionStatus=connected")
                                .then()
                                .extract()
                                .jsonPath()
                                .getList("results")
                                .size()
                        == 10);
        assertThat(alerts("rule=t-fleet")).isEmpty();
        for (int i = 0; i < 6; i++) {
            publish(Events.disconnected("alert-fleet-" + i, Instant.now(), "c" + i, "network", 0x8D));
        }
        await().atMost(Duration.ofSeconds(15))
                .until(() -> alerts("rule=t-fleet").size() == 1);
        Map<String, Object> fleet = alerts("rule=t-fleet").get(0);
        assertThat(fleet)
                .containsEntry("clientId", null)
                .containsEntry("condition", "fleet-drop")
                .containsEntry("state", "open");
        assertThat((Map<String, Object>) fleet.get("clientState"))
                .containsEntry("watched", 10)
                .containsEntry("dropped", 6);

        for (int i = 0; i < 3; i++) {
            publish(Events.connected("alert-fleet-" + i, Instant.now(), "d" + i));
        }
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "resolved".equals(alerts("rule=t-fleet").get(0).get("state")));
        assertThat(alerts("rule=t-fleet")).hasSize(1);
    }

    /** The alert leader's session lock shares its id with nothing: it once blocked the log-partition upkeep for good. */
    @Test
    void theLogPartitionUpkeepRunsWhileTheAlertRulesAreLed() {
        await().atMost(Duration.ofSeconds(15))
                .until(() -> pool.query("SELECT count(*) AS n FROM pg_locks WHERE "
                                        + "locktype = 'advisory' AND objid = "
                                        + dev.connmon.cluster.AdvisoryLocks.ALERT_LEADER
                                        + " AND granted")
                                .execute()
                                .await()
                                .atMost(Duration.ofSeconds(5))
                                .iterator()
                                .next()
                                .getLong("n")
                        == 1);
        pool.query("SELECT connmon_log_partitions(current_date, current_date + 2)")
                .execute()
                .await()
                .atMost(Duration.ofSeconds(10));
    }

    @Test
    void badParametersAreA400AndAnUnknownAlertA404() {
        asReader().when().get(ALERTS + "?state=maybe").then().statusCode(400);
        asReader().when().get(ALERTS + "?_bookmark=nonsense").then().statusCode(400);
        asReader().when().get(ALERTS + "?_limit=0").then().statusCode(400);
        asReader().when().get(ALERTS + "?color=red").then().statusCode(400);
        asReader().when().get(ALERTS + "/abc/deliveries").then().statusCode(400);
        asReader().when().get(ALERTS + "/987654321/deliveries").then().statusCode(404);
    }

    /** The retained message on a topic as an API-key reader gets it at once, or null when there is none. */
    private static String retained(String topic) {
        var reader = TestMqtt.monitorReader("alerts-reader-" + UUID.randomUUID());
        try (var publishes = reader.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
            reader.subscribeWith().topicFilter(topic).send();
            return publishes
                    .receive(2, java.util.concurrent.TimeUnit.SECONDS)
                    .map(message -> new String(message.getPayloadAsBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .filter(payload -> !payload.isEmpty())
                    .orElse(null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            reader.disconnect();
        }
    }

    private static List<WebhookReceiver.Received> received(String clientId) {
        return WebhookReceiver.RECEIVED.stream()
                .filter(r -> r.body().contains("\"" + clientId + "\""))
                .toList();
    }
}
