package dev.connmon.state;

import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Availability of one client (docs/api.md §10.1) with known answers, from histories applied through the real ingest
 * statement in shuffled, duplicated and split batches.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class AvailabilityTest {
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00.000Z");
    static final Instant T100 = T0.plus(Duration.ofMinutes(100));

    @Inject
    StateRepository repository;

    static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    static LifecycleEvent connect(String id, Instant t, String connection) {
        return LifecycleEvent.builder(EventType.CONNECTED, id, t)
                .connectionId(connection)
                .protocolVersion("5.0")
                .dialect("connmon")
                .build()
                .fromSource("avail");
    }

    static LifecycleEvent disconnect(String id, Instant t, String connection, Initiator initiator) {
        return LifecycleEvent.builder(EventType.DISCONNECTED, id, t)
                .connectionId(connection)
                .initiator(initiator)
                .reasonCode(0)
                .dialect("connmon")
                .build()
                .fromSource("avail");
    }

    /** Connected from before the window; two outages of 10 minutes in 100; a failed attempt inside one. */
    static List<LifecycleEvent> twoOutages(String id) {
        return List.of(
                connect(id, at(-60), "c1"),
                disconnect(id, at(20), "c1", Initiator.SERVER),
                LifecycleEvent.builder(EventType.CONNECT_FAILED, id, at(25))
                        .reasonCode(0x86)
                        .dialect("connmon")
                        .build()
                        .fromSource("avail"),
                connect(id, at(30), "c2"),
                disconnect(id, at(60), "c2", Initiator.NETWORK),
                connect(id, at(70), "c3"),
                // a late disconnect of a connection already taken over ends nothing
                disconnect(id, at(75), "c2", Initiator.SERVER));
    }

    /** The events in random order with duplicates, over several batches. */
    void applyShuffled(List<LifecycleEvent> events, Random random) {
        List<LifecycleEvent> arrival = new ArrayList<>(events);
        for (int i = 0; i < 3; i++) {
            arrival.add(events.get(random.nextInt(events.size())));
        }
        Collections.shuffle(arrival, random);
        int i = 0;
        while (i < arrival.size()) {
            int n = 1 + random.nextInt(3);
            repository
                    .apply(new IngestBatch(arrival.subList(i, Math.min(arrival.size(), i + n)), List.of()))
                    .await()
                    .atMost(Duration.ofSeconds(30));
            i += n;
        }
    }

    static JsonPath availability(String id, String... query) {
        var request = asReader().urlEncodingEnabled(true);
        for (int i = 0; i < query.length; i += 2) {
            request = request.queryParam(query[i], query[i + 1]);
        }
        return request.urlEncodingEnabled(false)
                .when()
                .get(STATES + "/" + segment(id) + "/availability")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void twoTenMinuteOutagesInOneHundredMinutesAre80Percent() {
        String id = "d:avail:pump:" + UUID.randomUUID();
        applyShuffled(twoOutages(id), new Random(1));
        JsonPath a = availability(id, "since", T0.toString(), "until", T100.toString(), "step", "PT50M");
        assertThat(a.getDouble("availability")).isEqualTo(0.8);
        assertThat(a.getDouble("connectedSeconds")).isEqualTo(4800.0);
        assertThat(a.getDouble("disconnectedSeconds")).isEqualTo(1200.0);
        assertThat(a.getDouble("unknownSeconds")).isEqualTo(0.0);
        assertThat(a.getLong("connects")).isEqualTo(2);
        assertThat(a.getLong("disconnects")).isEqualTo(3);
        assertThat(a.getLong("failedConnects")).isEqualTo(1);
        assertThat(a.getMap("disconnectsByInitiator"))
                .containsEntry("server", 2)
                .containsEntry("network", 1)
                .containsEntry("client", 0);
        assertThat(a.getString("longestOutage.start")).isEqualTo("2026-11-20T10:20:00.000Z");
        assertThat(a.getString("longestOutage.end")).isEqualTo("2026-11-20T10:30:00.000Z");
        assertThat(a.getDouble("longestOutage.seconds")).isEqualTo(600.0);
        assertThat(a.getList("buckets")).hasSize(2);
        assertThat(a.getString("buckets[1].start")).isEqualTo("2026-11-20T10:50:00.000Z");
        assertThat(a.getDouble("buckets[0].connectedSeconds")).isEqualTo(2400.0);
        assertThat(a.getDouble("buckets[1].disconnectedSeconds")).isEqualTo(600.0);
        assertThat(a.getLong("buckets[0].disconnects")).isEqualTo(1);
        assertThat(a.getLong("buckets[1].disconnects")).isEqualTo(2);
        assertThat(a.getDouble("buckets[1].availability")).isEqualTo(0.8);
    }

    /** segments=true: the stretches the seconds are made of, each with the log message of the event that began it. */
    @Test
    void segmentsAreTheStretchesOfTheWindowWithWhatBeganThem() {
        String id = "d:avail:pump:" + UUID.randomUUID();
        applyShuffled(twoOutages(id), new Random(3));
        JsonPath a = availability(id, "since", T0.toString(), "until", T100.toString(), "segments", "true");
        assertThat(a.getList("segments.status"))
                .containsExactly("connected", "disconnected", "connected", "disconnected", "connected");
        assertThat(a.getList("segments.start"))
                .containsExactly(
                        "2026-11-20T10:00:00.000Z",
                        "2026-11-20T10:20:00.000Z",
                        "2026-11-20T10:30:00.000Z",
                        "2026-11-20T11:00:00.000Z",
                        "2026-11-20T11:10:00.000Z");
        assertThat(a.getString("segments[4].end")).isEqualTo("2026-11-20T11:40:00.000Z");
        assertThat(a.getList("segments.seconds", Double.class)).containsExactly(1200.0, 600.0, 1800.0, 600.0, 1800.0);
        // the first stretch was begun by the connect before the window; the failed attempt and the late disconnect
        // of a taken-over connection begin nothing
        assertThat(a.getString("segments[0].cause")).isEqualTo("Connected (MQTT 5.0)");
        assertThat(a.getString("segments[1].cause")).startsWith("Disconnected by the server");
        assertThat(a.getString("segments[3].cause")).startsWith("Connection lost");
        assertThat(a.getList("segments")).hasSize(5);
        // the stretches add up to the window's seconds; without the parameter there are none
        assertThat(availability(id, "since", T0.toString(), "until", T100.toString())
                        .getList("segments"))
                .isNull();
        asReader()
                .queryParam("segments", "yes")
                .get(STATES + "/" + segment(id) + "/availability")
                .then()
                .statusCode(400)
                .body(org.hamcrest.Matchers.containsString("segments"));
    }

    @Test
    void aClientFirstSeenMidWindowIsUnknownBefore() {
        String id = "avail-late-" + UUID.randomUUID();
        applyShuffled(
                List.of(connect(id, at(40), "c1"), disconnect(id, at(90), "c1", Initiator.CLIENT)), new Random(2));
        JsonPath a = availability(id, "since", T0.toString(), "until", T100.toString());
        assertThat(a.getDouble("unknownSeconds")).isEqualTo(2400.0);
        assertThat(a.getDouble("connectedSeconds")).isEqualTo(3000.0);
        assertThat(a.getDouble("disconnectedSeconds")).isEqualTo(600.0);
        assertThat(a.getDouble("availability"))
                .isCloseTo(3000.0 / 3600.0, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(a.getString("longestOutage.end"))
                .as("an open outage runs to until")
                .isEqualTo("2026-11-20T11:40:00.000Z");
        assertThat(a.getList("buckets")).as("no step, no buckets").isNull();

        // a window entirely before the first record: all unknown, no availability
        JsonPath before = availability(id, "since", at(-50).toString(), "until", at(-10).toString());
        assertThat(before.getDouble("unknownSeconds")).isEqualTo(2400.0);
        assertThat((Object) before.get("availability")).isNull();
    }

    @Test
    void anUnconfirmedClientIsUnknownFromThen() {
        String id = "avail-gap-" + UUID.randomUUID();
        String source = "avail-" + UUID.randomUUID().toString().substring(0, 8);
        repository
                .apply(new IngestBatch(
                        List.of(LifecycleEvent.builder(EventType.CONNECTED, id, at(-5))
                                .connectionId("c1")
                                .dialect("connmon")
                                .build()
                                .fromSource(source)),
                        List.of()))
                .await()
                .atMost(Duration.ofSeconds(30));
        repository.markUnconfirmed(source, at(80)).await().atMost(Duration.ofSeconds(30));
        JsonPath a = availability(id, "since", T0.toString(), "until", T100.toString());
        assertThat(a.getDouble("connectedSeconds")).isEqualTo(4800.0);
        assertThat(a.getDouble("unknownSeconds")).isEqualTo(1200.0);
        assertThat(a.getDouble("availability")).isEqualTo(1.0);
    }

    @Test
    void everyArrivalOrderGivesTheSameAnswer() {
        String reference = null;
        for (int variant = 0; variant < 6; variant++) {
            String id = "avail-order-" + variant + "-" + UUID.randomUUID();
            applyShuffled(twoOutages(id), new Random(100 + variant));
            String body = asReader()
                    .queryParam("since", at(-90).toString())
                    .queryParam("until", T100.toString())
                    .queryParam("step", "PT7M")
                    .urlEncodingEnabled(false)
                    .when()
                    .get(STATES + "/" + segment(id) + "/availability")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString()
                    .replace(id, "ID");
            if (reference == null) {
                reference = body;
            }
            assertThat(body).isEqualTo(reference);
        }
    }

    @Test
    void badWindowsAre400AndUnknownClients404() {
        String id = "avail-bad-" + UUID.randomUUID();
        repository
                .apply(new IngestBatch(List.of(connect(id, at(0), "c1")), List.of()))
                .await()
                .atMost(Duration.ofSeconds(30));
        String path = STATES + "/" + segment(id) + "/availability";
        asReader()
                .queryParam("step", "PT1M")
                .queryParam("since", "P7D")
                .urlEncodingEnabled(false)
                .when()
                .get(path)
                .then()
                .statusCode(400)
                .body("title", containsString("step"))
                .body("detail", containsString("1000"));
        asReader()
                .queryParam("step", "5minutes")
                .urlEncodingEnabled(false)
                .when()
                .get(path)
                .then()
                .statusCode(400)
                .body("title", containsString("step"));
        asReader()
                .queryParam("since", T100.toString())
                .queryParam("until", T0.toString())
                .urlEncodingEnabled(false)
                .when()
                .get(path)
                .then()
                .statusCode(400)
                .body("title", containsString("since"));
        asReader()
                .queryParam("window", "P1D")
                .urlEncodingEnabled(false)
                .when()
                .get(path)
                .then()
                .statusCode(400)
                .body("title", containsString("window"));
        asReader()
                .urlEncodingEnabled(false)
                .when()
                .get(STATES + "/" + segment("avail-nobody-" + UUID.randomUUID()) + "/availability")
                .then()
                .statusCode(404);
        // the plain state of the same client is still served
        asReader()
                .urlEncodingEnabled(false)
                .when()
                .get(STATES + "/" + segment(id))
                .then()
                .statusCode(200)
                .body("id", equalTo(id))
                .body("unconfirmedSince", nullValue());
        // the default window is the last seven days: this client's connect is older
        asReader()
                .urlEncodingEnabled(false)
                .when()
                .get(path)
                .then()
                .statusCode(200)
                .body("connects", equalTo(0))
                .body("disconnectsByInitiator.keySet()", hasSize(3));
    }
}
