package dev.connmon.alerts;

import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.alerts.WebhookReceiver.Answer;
import dev.connmon.support.Events;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Webhook attempts against hostile receivers on loopback (docs/api.md §11): each ends within the deadline
 * ({@link WebhookReceiver#TIMEOUT} here), reads a few KiB of the answer at most, follows no redirect, is recorded, and
 * holds no connection that another delivery needs.
 */
// mostly waiting out stalled receivers' deadlines: in the long suites
@Tag("long")
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@QuarkusTestResource(WebhookReceiver.class)
class WebhookBoundsTest {
    private static Mqtt5AsyncClient publisher;

    @BeforeAll
    static void connect() {
        publisher = TestMqtt.eventPublisher("webhook-bounds-" + UUID.randomUUID());
    }

    @AfterAll
    static void disconnect() {
        publisher.disconnect().join();
    }

    @Test
    void aHugeAnswerIsReadOnlyToItsLimitAndTheConnectionClosed() {
        String id = offlineClientAnswered(Answer.HUGE);
        String alert = alertOf(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> !attempts(alert).isEmpty());
        // a 2xx status delivers; connmon stopped reading after 4 KiB and closed the connection
        assertThat(attempts(alert).get(0)).containsEntry("status", 200).containsEntry("error", null);
        String delivery = received(id).get(0).delivery();
        await().atMost(Duration.ofSeconds(15)).until(() -> WebhookReceiver.HUGE_WRITTEN.containsKey(delivery));
        assertThat(WebhookReceiver.HUGE_WRITTEN.get(delivery)).isLessThan(WebhookReceiver.HUGE / 16);
    }

    @Test
    void aStalledAnswerIsAFailedAttemptAtTheDeadlineAndIsRetried() {
        String id = offlineClientAnswered(Answer.STALL);
        String alert = alertOf(id);
        await().atMost(WebhookReceiver.TIMEOUT.plusSeconds(20))
                .until(() -> attempts(alert).size() == 2);
        List<Map<String, Object>> attempts = attempts(alert);
        assertThat(attempts.get(0)).containsEntry("status", 200).containsEntry("error", "no complete answer within 5s");
        assertThat(attempts.get(1)).containsEntry("status", 204).containsEntry("error", null);
        Duration held = Duration.between(
                received(id).get(0).at(), Instant.parse((String) attempts.get(0).get("at")));
        assertThat(held).isBetween(WebhookReceiver.TIMEOUT.minusMillis(500), WebhookReceiver.TIMEOUT.plusSeconds(3));
    }

    @Test
    void fiveStalledAttemptsDoNotHoldUpASixthDelivery() {
        List<String> stalled = IntStream.range(0, 5)
                .mapToObj(i -> offlineClientAnswered(Answer.STALL))
                .toList();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stalled.stream().noneMatch(id -> received(id).isEmpty()));

        String healthy = offlineClientAnswered();
        await().atMost(WebhookReceiver.TIMEOUT.multipliedBy(4))
                .until(() -> received(healthy).stream().anyMatch(r -> r.answered() == 204));
        Instant healthyAt = received(healthy).get(0).at();
        for (String id : stalled) {
            String alert = alertOf(id);
            await().atMost(WebhookReceiver.TIMEOUT.plusSeconds(15))
                    .until(() -> !attempts(alert).isEmpty());
            // delivered while all five were still stalled, not once their deadline had freed a connection
            assertThat(Instant.parse((String) attempts(alert).get(0).get("at"))).isAfter(healthyAt);
        }
    }

    @Test
    void aRedirectIsAFailedAttemptAndIsNotFollowed() {
        int elsewhere = WebhookReceiver.ELSEWHERE.get();
        String id = offlineClientAnswered(Answer.REDIRECT);
        String alert = alertOf(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> attempts(alert).size() == 2);
        List<Map<String, Object>> attempts = attempts(alert);
        assertThat(attempts.get(0))
                .containsEntry("status", 303)
                .containsEntry("error", "answered 303: redirects are not followed");
        assertThat(attempts.get(1)).containsEntry("status", 204);
        assertThat(WebhookReceiver.ELSEWHERE.get()).isEqualTo(elsewhere);
    }

    /** A client of the offline rule, disconnected long enough ago to alert at once, its webhook answered so. */
    private static String offlineClientAnswered(Answer... answers) {
        String id = "alert-off-" + UUID.randomUUID();
        WebhookReceiver.plan(id, answers);
        Instant now = Instant.now();
        TestMqtt.publishEvent(
                publisher,
                "bounds",
                Events.connected(id, now.minusSeconds(10), "c1").encode());
        TestMqtt.publishEvent(
                publisher,
                "bounds",
                Events.disconnected(id, now.minusSeconds(3), "c1", "network", 0x8D)
                        .encode());
        return id;
    }

    private static String alertOf(String clientId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !alerts(clientId).isEmpty());
        return (String) alerts(clientId).get(0).get("id");
    }

    private static List<Map<String, Object>> alerts(String clientId) {
        return asReader()
                .when()
                .get("/api/v0002/alerts?rule=t-offline&clientId=" + clientId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results");
    }

    /** The attempts of the alert's opening delivery. */
    private static List<Map<String, Object>> attempts(String alert) {
        List<Map<String, Object>> attempts = asReader()
                .when()
                .get("/api/v0002/alerts/" + alert + "/deliveries")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        return attempts.stream()
                .filter(attempt -> "alert.opened".equals(attempt.get("type")))
                .toList();
    }

    private static List<WebhookReceiver.Received> received(String clientId) {
        return WebhookReceiver.RECEIVED.stream()
                .filter(r -> r.body().contains("\"" + clientId + "\""))
                .toList();
    }
}
