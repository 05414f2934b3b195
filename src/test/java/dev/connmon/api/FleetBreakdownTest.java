package dev.connmon.api;

import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.SUMMARY;
import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import dev.connmon.fleet.TimelineSampler;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.StateRepository;
import dev.connmon.support.FreshSample;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the dashboard's overview reads besides the timeline (docs/api.md §2 summary, §10.5): the summary's flapping and
 * silent counts are the counts of the list filters they link to; clients by the reason of their last disconnect;
 * the client and device types of the newest sample.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class FleetBreakdownTest {
    @Inject
    StateRepository repository;

    @Inject
    TimelineSampler sampler;

    @Inject
    Pool pool;

    static LifecycleEvent connect(String id, Instant t, String connection) {
        return LifecycleEvent.builder(EventType.CONNECTED, id, t)
                .connectionId(connection)
                .dialect("connmon")
                .build()
                .fromSource("breakdown");
    }

    static LifecycleEvent disconnect(
            String id, Instant t, String connection, Initiator initiator, Integer code, String reason) {
        return LifecycleEvent.builder(EventType.DISCONNECTED, id, t)
                .connectionId(connection)
                .initiator(initiator)
                .reasonCode(code)
                .reason(reason)
                .dialect("connmon")
                .build()
                .fromSource("breakdown");
    }

    void apply(List<LifecycleEvent> events) {
        repository.apply(new IngestBatch(events, List.of())).await().atMost(Duration.ofSeconds(30));
    }

    /** How many clients the list holds for this filter, every page. */
    static long listCount(String... query) {
        long count = 0;
        String bookmark = null;
        do {
            var request = asReader().queryParam("_limit", 1000);
            for (int i = 0; i < query.length; i += 2) {
                request = request.queryParam(query[i], query[i + 1]);
            }
            if (bookmark != null) {
                request = request.queryParam("_bookmark", bookmark);
            }
            JsonPath page = request.get(STATES).then().statusCode(200).extract().jsonPath();
            count += page.getList("results").size();
            bookmark = page.getString("bookmark");
        } while (bookmark != null);
        return count;
    }

    @Test
    void clientsAreGroupedByTheReasonOfTheirLastDisconnect() {
        String type = "br" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        List<LifecycleEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = "d:acme:" + type + ":" + i;
            Instant down = now.minus(Duration.ofMinutes(10 + i));
            Instant last = i < 5 ? down : now.minus(Duration.ofDays(3));
            events.add(connect(id, last.minusSeconds(600), "c1"));
            if (i < 3) {
                events.add(disconnect(id, down, "c1", Initiator.SERVER, 0x8D, "Keep Alive timeout"));
            } else if (i < 5) {
                events.add(disconnect(id, down, "c1", Initiator.NETWORK, null, null));
            } else {
                events.add(disconnect(id, last, "c1", Initiator.CLIENT, 0, "normal"));
            }
        }
        // one keep-alive timeout came back: still counted (its last disconnect was one), no longer offline
        events.add(connect("d:acme:" + type + ":0", now.minus(Duration.ofMinutes(2)), "c2"));
        apply(events);

        JsonPath reasons = asReader()
                .queryParam("deviceType", type)
                .get("/api/v0002/fleet/disconnect-reasons")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(reasons.getList("reasons")).hasSize(2); // the client disconnect of 3 days ago is outside P1D
        Map<String, Object> first = reasons.getMap("reasons[0]");
        assertThat(first)
                .containsEntry("initiator", "server")
                .containsEntry("reasonCode", 141)
                .containsEntry("reason", "Keep Alive timeout")
                .containsEntry("message", "Disconnected by the server: Keep Alive timeout (0x8D)")
                .containsEntry("clients", 3)
                .containsEntry("disconnectedNow", 2);
        assertThat(reasons.getMap("reasons[1]"))
                .containsEntry("initiator", "network")
                .containsEntry("message", "Connection lost")
                .containsEntry("clients", 2);
        // each group is the list's filter
        assertThat(listCount("deviceType", type, "disconnectedAfter", "P1D", "disconnectReasonCode", "141"))
                .isEqualTo(3);
        JsonPath week = asReader()
                .queryParam("deviceType", type)
                .queryParam("since", "P7D")
                .queryParam("_limit", 1)
                .get("/api/v0002/fleet/disconnect-reasons")
                .jsonPath();
        assertThat(week.getList("reasons")).hasSize(1);
        asReader()
                .queryParam("nonsense", "1")
                .get("/api/v0002/fleet/disconnect-reasons")
                .then()
                .statusCode(400)
                .body(containsString("nonsense"));
        asReader()
                .queryParam("_limit", "0")
                .get("/api/v0002/fleet/disconnect-reasons")
                .then()
                .statusCode(400)
                .body(containsString("_limit"));

        // the newest sample knows the type, connected and disconnected
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    FreshSample.take(pool, sampler);
                    JsonPath types = asReader()
                            .get("/api/v0002/fleet/types")
                            .then()
                            .statusCode(200)
                            .extract()
                            .jsonPath();
                    assertThat(types.getString("sampledAt")).isNotNull();
                    // a sample taken before these clients has no "device" entry: an AssertionError, so retried
                    Number devices = types.get("clientTypes.device");
                    assertThat(devices)
                            .as("device clients in the newest sample")
                            .isNotNull();
                    assertThat(devices.longValue()).isGreaterThanOrEqualTo(6);
                    List<Map<String, Object>> deviceTypes = types.getList("deviceTypes");
                    assertThat(deviceTypes)
                            .filteredOn(t -> type.equals(t.get("deviceType")))
                            .singleElement()
                            .satisfies(t -> {
                                assertThat(t).containsEntry("connected", 1);
                                assertThat(t).containsEntry("disconnected", 5);
                            });
                });
    }

    @Test
    void theSummaryCountsWhatItsListsHold() {
        String type = "sm" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now();
        List<LifecycleEvent> events = new ArrayList<>();
        // a silent one: connected an hour ago, nothing since
        events.add(connect("d:acme:" + type + ":quiet", now.minus(Duration.ofHours(1)), "q1"));
        // a flapping one: six disconnects within the last ten minutes
        String flapper = "d:acme:" + type + ":flap";
        for (int i = 0; i < 6; i++) {
            Instant t = now.minus(Duration.ofMinutes(6 - i));
            events.add(connect(flapper, t.minusSeconds(20), "f" + i));
            events.add(disconnect(flapper, t, "f" + i, Initiator.NETWORK, null, null));
        }
        apply(events);
        // nothing else changes the states meanwhile in this suite; a count and its list are read close together
        JsonPath summary =
                asReader().get(SUMMARY).then().statusCode(200).extract().jsonPath();
        String silentFor = summary.getString("silentFor");
        assertThat(silentFor).isEqualTo("PT15M");
        assertThat(summary.getLong("silent")).isGreaterThanOrEqualTo(1);
        assertThat(summary.getLong("flapping")).isGreaterThanOrEqualTo(1);
        assertThat(summary.getLong("silent"))
                .isEqualTo(listCount("connectionStatus", "connected", "activeBefore", silentFor));
        assertThat(summary.getLong("flapping")).isEqualTo(listCount("flapping", "true"));
        assertThat(summary.getLong("openAlerts")).isGreaterThanOrEqualTo(0);
        JsonPath shorter =
                asReader().queryParam("silentFor", "PT2H").get(SUMMARY).jsonPath();
        assertThat(shorter.getString("silentFor")).isEqualTo("PT2H");
        assertThat(shorter.getLong("silent"))
                .isEqualTo(listCount("connectionStatus", "connected", "activeBefore", "PT2H"));
        asReader()
                .queryParam("silentFor", "soon")
                .get(SUMMARY)
                .then()
                .statusCode(400)
                .body(containsString("silentFor"));
        asReader().queryParam("silentFor", "-PT1M").get(SUMMARY).then().statusCode(400);
    }
}
