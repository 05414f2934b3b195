package dev.connmon.fleet;

import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.StateRepository;
import dev.connmon.support.Api;
import dev.connmon.support.FreshSample;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The fleet timeline (docs/api.md §10.2): event counts per bucket from the per-minute counters (duplicates count
 * once), counts from samples (null where there is none), the current counts in a last bucket that ends now, and the
 * filters, per device type.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class TimelineTest {
    static final String TIMELINE = "/api/v0002/fleet/timeline";
    static final Instant T = Instant.parse("2026-11-20T10:00:00.000Z");

    @Inject
    StateRepository repository;

    @Inject
    TimelineSampler sampler;

    @Inject
    Pool pool;

    static Instant at(int minutes) {
        return T.plus(Duration.ofMinutes(minutes));
    }

    static LifecycleEvent event(EventType type, String id, Instant t, String connection, Initiator initiator) {
        return LifecycleEvent.builder(type, id, t)
                .connectionId(connection)
                .initiator(initiator)
                .dialect("connmon")
                .reasonCode(type == EventType.CONNECT_FAILED ? 0x86 : 0)
                .build()
                .fromSource("timeline");
    }

    /** Three pumps of a device type of their own and one client of another type, shuffled, with duplicates. */
    String fleet() {
        String type = "tl" + UUID.randomUUID().toString().substring(0, 8);
        String one = "d:acme:" + type + ":1";
        String two = "d:acme:" + type + ":2";
        List<LifecycleEvent> events = new ArrayList<>(List.of(
                event(EventType.CONNECTED, one, at(1), "c1", null),
                event(EventType.CONNECTED, two, at(2).plusSeconds(30), "c1", null),
                event(EventType.CONNECTED, "d:acme:" + type + ":3", at(3), "c1", null),
                event(EventType.DISCONNECTED, one, at(7), "c1", Initiator.SERVER),
                event(EventType.CONNECT_FAILED, one, at(8), null, null),
                event(EventType.DISCONNECTED, two, at(12).plusMillis(999), "c1", Initiator.NETWORK),
                event(EventType.CONNECTED, "d:acme:other" + type + ":1", at(4), "c1", null)));
        Random random = new Random(7);
        for (int i = 0; i < 4; i++) {
            events.add(events.get(random.nextInt(events.size())));
        }
        Collections.shuffle(events, random);
        for (int i = 0; i < events.size(); i += 2) {
            repository
                    .apply(new IngestBatch(events.subList(i, Math.min(events.size(), i + 2)), List.of()))
                    .await()
                    .atMost(Duration.ofSeconds(30));
        }
        // a redelivered batch counts nothing
        repository.apply(new IngestBatch(events, List.of())).await().atMost(Duration.ofSeconds(30));
        return type;
    }

    static JsonPath timeline(String... query) {
        var request = Api.asReader();
        for (int i = 0; i < query.length; i += 2) {
            request = request.queryParam(query[i], query[i + 1]);
        }
        return request.when().get(TIMELINE).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void eventsAreCountedPerBucketOnceAndPastCountsWithoutASampleAreNull() {
        String type = fleet();
        JsonPath t = timeline(
                "since",
                at(0).plusSeconds(20).toString(),
                "until",
                at(15).toString(),
                "step",
                "PT5M",
                "deviceType",
                type);
        assertThat(t.getString("since")).as("rounded down to the minute").isEqualTo("2026-11-20T10:00:00.000Z");
        assertThat(t.getList("buckets")).hasSize(3);
        assertThat(t.getString("buckets[2].end")).isEqualTo("2026-11-20T10:15:00.000Z");
        assertThat(t.getLong("buckets[0].connects")).isEqualTo(3);
        assertThat(t.getLong("buckets[0].failedConnects")).isEqualTo(0);
        assertThat(t.getLong("buckets[1].connects")).isEqualTo(0);
        assertThat(t.getLong("buckets[1].failedConnects")).isEqualTo(1);
        assertThat(t.getLong("buckets[1].disconnects.server")).isEqualTo(1);
        assertThat(t.getLong("buckets[1].disconnects.network")).isEqualTo(0);
        assertThat(t.getLong("buckets[2].disconnects.network")).isEqualTo(1);
        assertThat(t.getLong("buckets[2].disconnects.client")).isEqualTo(0);
        for (int i = 0; i < 3; i++) {
            assertThat((Object) t.get("buckets[" + i + "].connected"))
                    .as("no sample of 2026-11-20")
                    .isNull();
            assertThat((Object) t.get("buckets[" + i + "].disconnected")).isNull();
        }
        // the whole fleet holds the other type's connect too
        JsonPath all =
                timeline("since", at(0).toString(), "until", at(5).toString(), "step", "PT5M", "clientType", "device");
        assertThat(all.getLong("buckets[0].connects")).isGreaterThanOrEqualTo(4);
        JsonPath application = timeline(
                "since",
                at(0).toString(),
                "until",
                at(5).toString(),
                "step",
                "PT5M",
                "clientType",
                "application",
                "deviceType",
                type);
        assertThat(application.getLong("buckets[0].connects")).isEqualTo(0);
    }

    @Test
    void aPastBucketTakesTheSampleAtItsEndAndTheLastBucketTheCurrentCounts() {
        String type = fleet();
        // samples of that day, as the sampler writes them (the marker row says the time was sampled)
        Instant sampled = at(5).minusSeconds(30);
        pool.preparedQuery("""
                INSERT INTO fleet_sample (sampled_at, client_type, device_type, connected, disconnected)
                VALUES ($1, '', '', 0, 0), ($1, 'device', $2, 7, 3)
                ON CONFLICT (sampled_at, client_type, device_type) DO UPDATE SET connected = EXCLUDED.connected""")
                .execute(Tuple.of(sampled.atOffset(ZoneOffset.UTC), type))
                .await()
                .atMost(Duration.ofSeconds(10));
        JsonPath past =
                timeline("since", at(0).toString(), "until", at(15).toString(), "step", "PT5M", "deviceType", type);
        assertThat(past.getLong("buckets[0].connected")).isEqualTo(7);
        assertThat(past.getLong("buckets[0].disconnected")).isEqualTo(3);
        assertThat((Object) past.get("buckets[1].connected"))
                .as("the sample is older than two intervals")
                .isNull();

        // now: one of the three pumps connected, two disconnected, as of the newest sample
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    FreshSample.take(pool, sampler);
                    JsonPath now = timeline("since", "PT15M", "deviceType", type);
                    assertThat(now.getList("buckets")).hasSizeBetween(3, 4);
                    int last = now.getList("buckets").size() - 1;
                    assertThat(now.getLong("buckets[" + last + "].connected")).isEqualTo(1);
                    assertThat(now.getLong("buckets[" + last + "].disconnected"))
                            .isEqualTo(2);
                });
    }

    @Test
    void theSamplerWritesTheCountsPerDeviceType() {
        String type = fleet();
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Instant newest = FreshSample.take(pool, sampler);
                    assertThat(newest).isNotNull();
                    var rows = pool.preparedQuery("""
                    SELECT connected, disconnected FROM fleet_sample
                     WHERE device_type = $1 ORDER BY sampled_at DESC LIMIT 1""")
                            .execute(Tuple.of(type))
                            .await()
                            .atMost(Duration.ofSeconds(10));
                    assertThat(rows.size()).isEqualTo(1);
                    assertThat(rows.iterator().next().getLong("connected")).isEqualTo(1);
                    assertThat(rows.iterator().next().getLong("disconnected")).isEqualTo(2);
                });
        // the lag gauge follows the newest sample
        double lag = Api.metric("connmon_timeline_sample_lag_seconds");
        assertThat(lag).isBetween(0.0, 130.0);
    }

    @Test
    void badParametersAre400() {
        asReader()
                .queryParam("step", "PT30S")
                .when()
                .get(TIMELINE)
                .then()
                .statusCode(400)
                .body("title", containsString("step"));
        asReader()
                .queryParam("step", "PT90S")
                .when()
                .get(TIMELINE)
                .then()
                .statusCode(400)
                .body("detail", containsString("whole minutes"));
        asReader()
                .queryParam("step", "PT1M")
                .queryParam("since", "P2D")
                .when()
                .get(TIMELINE)
                .then()
                .statusCode(400)
                .body("detail", containsString("1000"));
        asReader()
                .queryParam("connectionStatus", "connected")
                .when()
                .get(TIMELINE)
                .then()
                .statusCode(400)
                .body("title", containsString("connectionStatus"));
        asReader().queryParam("clientType", "robot").when().get(TIMELINE).then().statusCode(400);
        asReader().when().get(TIMELINE).then().statusCode(200);
        io.restassured.RestAssured.given().when().get(TIMELINE).then().statusCode(401);
    }
}
