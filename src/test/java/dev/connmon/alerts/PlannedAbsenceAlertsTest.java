package dev.connmon.alerts;

import static dev.connmon.support.Api.asAdmin;
import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.StateRepository;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Alerts and planned absences (docs/api.md §10.6, §10.7, §11), with the test rules and expectations of
 * {@link WebhookReceiver}: t-offline (for PT2S) over alert-off-*, whose alert-off-sleepy-* clients are expected every
 * PT8S and alert-off-dozing-* every hour; t-overdue over sleepy-od-*, expected every PT3S with PT1S grace.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@QuarkusTestResource(WebhookReceiver.class)
class PlannedAbsenceAlertsTest {
    private static final String MAINTENANCE = "/api/v0002/maintenance";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    StateRepository repository;

    private void apply(LifecycleEvent event) {
        repository.apply(new IngestBatch(List.of(event), List.of())).await().atMost(TIMEOUT);
    }

    private void connect(String id, Instant at, String connection) {
        apply(LifecycleEvent.builder(EventType.CONNECTED, id, at)
                .connectionId(connection)
                .dialect("connmon")
                .build()
                .fromSource("planned"));
    }

    private void disconnect(String id, Instant at, String connection) {
        apply(LifecycleEvent.builder(EventType.DISCONNECTED, id, at)
                .connectionId(connection)
                .initiator(Initiator.NETWORK)
                .reasonCode(0x8D)
                .dialect("connmon")
                .build()
                .fromSource("planned"));
    }

    private static List<Map<String, Object>> alerts(String clientId) {
        return asReader()
                .queryParam("clientId", clientId)
                .when()
                .get("/api/v0002/alerts")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results");
    }

    private static String window(String prefix) {
        return asAdmin()
                .contentType("application/json")
                .body(new JsonObject()
                        .put("filter", "clientIdPrefix=" + prefix)
                        .put("until", Instant.now().plus(Duration.ofHours(1)).toString())
                        .put("reason", "test")
                        .encode())
                .when()
                .post(MAINTENANCE)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static void pause(Duration duration) {
        await().pollDelay(duration).atMost(duration.plusSeconds(1)).until(() -> true);
    }

    @Test
    void aClientInAWindowOpensNoAlertAndOneOpensWhenTheWindowEndsEarly() {
        String id = "alert-off-mw-" + UUID.randomUUID();
        String window = window(id);
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        connect(id, t.minusSeconds(10), "c1");
        disconnect(id, t, "c1");

        // twice the rule's for, in maintenance: nothing opens
        pause(Duration.ofSeconds(4));
        assertThat(alerts(id)).isEmpty();

        asAdmin().when().delete(MAINTENANCE + "/" + window).then().statusCode(204);
        await().atMost(TIMEOUT).until(() -> alerts(id).size() == 1);
        Map<String, Object> alert = alerts(id).get(0);
        assertThat(alert).containsEntry("rule", "t-offline").containsEntry("state", "open");
        assertThat(Instant.parse((String) alert.get("since"))).isEqualTo(t);
    }

    @Test
    void anOpenAlertStaysOpenWhenItsClientEntersAWindowAndResolvesAtItsConnect() {
        String id = "alert-off-open-" + UUID.randomUUID();
        Instant t = Instant.now();
        connect(id, t.minusSeconds(10), "c1");
        disconnect(id, t, "c1");
        await().atMost(TIMEOUT).until(() -> alerts(id).size() == 1);
        String window = window(id);

        pause(Duration.ofSeconds(2));
        assertThat(alerts(id)).singleElement().satisfies(a -> assertThat(a).containsEntry("state", "open"));

        connect(id, Instant.now(), "c2");
        await().atMost(TIMEOUT).until(() -> "resolved".equals(alerts(id).get(0).get("state")));
        asAdmin().when().delete(MAINTENANCE + "/" + window).then().statusCode(204);
    }

    @Test
    void anAsleepClientIsNeitherOfflineNorOverdue() {
        // expected every hour: asleep for all of this test, whatever the machine's load
        String id = "alert-off-dozing-" + UUID.randomUUID();
        connect(id, Instant.now().minusSeconds(10), "c1");
        disconnect(id, Instant.now(), "c1");

        JsonPath state = Api.state(id).statusCode(200).extract().jsonPath();
        assertThat(state.getBoolean("asleep")).isTrue();
        assertThat(state.getBoolean("overdue")).isFalse();
        assertThat(overdue(id)).isEmpty();
        assertThat(notOverdue(id)).containsExactly(id);

        // twice the offline rule's for: no alert for a client that is only asleep
        pause(Duration.ofSeconds(4));
        assertThat(alerts(id)).isEmpty();
        assertThat(Api.state(id).extract().jsonPath().getBoolean("asleep")).isTrue();
    }

    @Test
    @Tag("long") // waits for the missed check-in and the rule's for
    void aSleepyClientIsOfflineFromTheCheckInItMissed() {
        String id = "alert-off-sleepy-" + UUID.randomUUID();
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        connect(id, t.minusSeconds(10), "c1");
        disconnect(id, t, "c1");

        // past the rule's for (2 s), within its check-in (8 s): no alert
        pause(Duration.ofSeconds(3));
        assertThat(alerts(id)).isEmpty();

        // offline from the missed check-in on, for the rule's for
        await().atMost(TIMEOUT).until(() -> alerts(id).size() == 1);
        Map<String, Object> alert = alerts(id).get(0);
        assertThat(alert).containsEntry("rule", "t-offline").containsEntry("condition", "offline");
        assertThat(Instant.parse((String) alert.get("since"))).isEqualTo(t.plusSeconds(8));
        assertThat(Instant.parse((String) alert.get("openedAt"))).isAfterOrEqualTo(t.plusSeconds(10));
        JsonPath state = Api.state(id).statusCode(200).extract().jsonPath();
        assertThat(state.getBoolean("asleep")).isFalse();
        assertThat(state.getBoolean("overdue")).isTrue();
        assertThat(overdue(id)).containsExactly(id);
        assertThat(notOverdue(id)).isEmpty();
    }

    @Test
    void anOverdueRuleAlertsOnAClientThatMissedItsCheckInAndResolvesAtItsConnect() {
        String id = "sleepy-od-" + UUID.randomUUID();
        Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        connect(id, t.minusSeconds(10), "c1");
        disconnect(id, t, "c1");

        // not before the check-in was due: since and openedAt below
        await().atMost(TIMEOUT).until(() -> alerts(id).size() == 1);
        Map<String, Object> alert = alerts(id).get(0);
        assertThat(alert)
                .containsEntry("rule", "t-overdue")
                .containsEntry("condition", "overdue")
                .containsEntry("state", "open");
        // every (3 s) + grace (1 s) after the last disconnect
        assertThat(Instant.parse((String) alert.get("since"))).isEqualTo(t.plusSeconds(4));
        assertThat(Instant.parse((String) alert.get("openedAt"))).isAfterOrEqualTo(t.plusSeconds(4));
        assertThat(((Map<?, ?>) alert.get("clientState")).get("overdue")).isEqualTo(true);

        connect(id, Instant.now(), "c2");
        await().atMost(TIMEOUT).until(() -> "resolved".equals(alerts(id).get(0).get("state")));
        JsonPath state = Api.state(id).statusCode(200).extract().jsonPath();
        assertThat(state.getBoolean("asleep")).isFalse();
        assertThat(state.getBoolean("overdue")).isFalse();
    }

    @Test
    void aClientThatNoExpectationNamesIsNeverAsleepNorOverdue() {
        String id = "alert-off-plain-" + UUID.randomUUID();
        connect(id, Instant.now().minusSeconds(10), "c1");
        disconnect(id, Instant.now(), "c1");
        JsonPath state = Api.state(id).statusCode(200).extract().jsonPath();
        assertThat(state.getBoolean("asleep")).isFalse();
        assertThat(state.getBoolean("overdue")).isFalse();
        assertThat(state.getBoolean("inMaintenance")).isFalse();
    }

    private static List<String> overdue(String id) {
        return listed(id, "true");
    }

    private static List<String> notOverdue(String id) {
        return listed(id, "false");
    }

    private static List<String> listed(String id, String overdue) {
        return asReader()
                .queryParam("clientIdPrefix", id)
                .queryParam("overdue", overdue)
                .when()
                .get(Api.STATES)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results.id");
    }
}
