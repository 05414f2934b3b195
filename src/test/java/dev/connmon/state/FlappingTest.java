package dev.connmon.state;

import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.Instants;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.query.StateFilter;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Flapping (docs/api.md §10.3) with the default thresholds (5 disconnects in 10 minutes), from back-dated histories in
 * shuffled, duplicated batches: the flag, flappingSince, the list filter, and the end of flapping by time alone.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class FlappingTest {
    @Inject
    StateRepository repository;

    /** Five connections, each disconnected by the network at the given times (a connect 1 s before each). */
    static List<LifecycleEvent> flaps(String id, List<Instant> disconnects) {
        List<LifecycleEvent> events = new ArrayList<>();
        for (int i = 0; i < disconnects.size(); i++) {
            Instant t = disconnects.get(i);
            events.add(LifecycleEvent.builder(EventType.CONNECTED, id, t.minusSeconds(1))
                    .connectionId("c" + i)
                    .dialect("connmon")
                    .build()
                    .fromSource("flap"));
            events.add(LifecycleEvent.builder(EventType.DISCONNECTED, id, t)
                    .connectionId("c" + i)
                    .initiator(Initiator.NETWORK)
                    .dialect("connmon")
                    .build()
                    .fromSource("flap"));
        }
        return events;
    }

    void applyShuffled(List<LifecycleEvent> events, long seed) {
        Random random = new Random(seed);
        List<LifecycleEvent> arrival = new ArrayList<>(events);
        arrival.add(events.get(random.nextInt(events.size())));
        arrival.add(events.get(random.nextInt(events.size())));
        Collections.shuffle(arrival, random);
        for (int i = 0; i < arrival.size(); i += 3) {
            repository
                    .apply(new IngestBatch(arrival.subList(i, Math.min(arrival.size(), i + 3)), List.of()))
                    .await()
                    .atMost(Duration.ofSeconds(30));
        }
    }

    static JsonPath state(String id) {
        return asReader()
                .urlEncodingEnabled(false)
                .when()
                .get(STATES + "/" + segment(id))
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static List<String> listed(String prefix, String flapping) {
        return asReader()
                .queryParam("clientIdPrefix", prefix)
                .queryParam("flapping", flapping)
                .queryParam("_limit", 1000)
                .when()
                .get(STATES)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results.id");
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    @Test
    void fiveDisconnectsWithinTheWindowFlagTheClient() {
        String prefix = "flap-" + UUID.randomUUID() + "-";
        String id = prefix + "a";
        Instant now = now();
        List<Instant> times = List.of(
                now.minusSeconds(540),
                now.minusSeconds(480),
                now.minusSeconds(420),
                now.minusSeconds(360),
                now.minusSeconds(300),
                now.minusSeconds(240));
        applyShuffled(flaps(id, times), 1);
        JsonPath state = state(id);
        assertThat(state.getBoolean("flapping")).isTrue();
        // the fifth disconnect made the count reach five; the sixth continues the same episode
        assertThat(state.getString("flappingSince")).isEqualTo(Instants.format(times.get(4)));
        assertThat(listed(prefix, "true")).containsExactly(id);
        assertThat(listed(prefix, "false")).isEmpty();
    }

    @Test
    void theSameDisconnectsSpreadWiderDoNotFlag() {
        String prefix = "flap-" + UUID.randomUUID() + "-";
        String id = prefix + "b";
        Instant now = now();
        // five disconnects over 24 minutes: never five within ten
        applyShuffled(
                flaps(
                        id,
                        List.of(
                                now.minusSeconds(1500),
                                now.minusSeconds(1140),
                                now.minusSeconds(780),
                                now.minusSeconds(420),
                                now.minusSeconds(60))),
                2);
        JsonPath state = state(id);
        assertThat(state.getBoolean("flapping")).isFalse();
        assertThat(state.getString("flappingSince")).isNull();
        assertThat(listed(prefix, "true")).isEmpty();
        assertThat(listed(prefix, "false")).containsExactly(id);
    }

    @Test
    @Tag("long") // waits for the window to pass
    void aFlappingClientStopsFlappingWhenTheWindowHasPassedWithoutANewEvent() {
        String prefix = "flap-" + UUID.randomUUID() + "-";
        String id = prefix + "c";
        Instant now = now();
        // the first of the five leaves the trailing ten minutes 8 s from now: time enough to see the client flapping
        Instant first = now.minusSeconds(592);
        List<Instant> times =
                List.of(first, first.plusSeconds(1), first.plusSeconds(2), first.plusSeconds(3), first.plusSeconds(4));
        applyShuffled(flaps(id, times), 3);
        JsonPath state = state(id);
        assertThat(state.getBoolean("flapping")).isTrue();
        assertThat(state.getString("flappingSince")).isEqualTo(Instants.format(times.get(4)));
        assertThat(listed(prefix, "true")).containsExactly(id);

        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> !state(id).getBoolean("flapping"));
        assertThat(Instant.now()).isAfter(first.plus(Duration.ofMinutes(10)));
        assertThat(state(id).getString("flappingSince")).isNull();
        assertThat(listed(prefix, "true")).isEmpty();
        assertThat(listed(prefix, "false")).containsExactly(id);
    }

    @Test
    void aLateDisconnectCountsByItsEventTime() {
        String prefix = "flap-" + UUID.randomUUID() + "-";
        String id = prefix + "d";
        Instant now = now();
        List<Instant> times = List.of(
                now.minusSeconds(300),
                now.minusSeconds(240),
                now.minusSeconds(180),
                now.minusSeconds(120),
                now.minusSeconds(60));
        List<LifecycleEvent> events = flaps(id, times);
        // all but the oldest disconnect first: four are not five
        repository
                .apply(new IngestBatch(events.subList(2, events.size()), List.of()))
                .await()
                .atMost(Duration.ofSeconds(30));
        assertThat(state(id).getBoolean("flapping")).isFalse();
        repository
                .apply(new IngestBatch(events.subList(0, 2), List.of()))
                .await()
                .atMost(Duration.ofSeconds(30));
        assertThat(state(id).getBoolean("flapping")).isTrue();
        assertThat(state(id).getString("flappingSince")).isEqualTo(Instants.format(times.get(4)));
    }

    @Test
    void liveStreamsFilterOnFlappingInMemory() {
        ClientState flapping = new ClientState(
                "x",
                "client",
                "disconnected",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                true,
                "2026-11-20T10:00:00.000Z",
                false,
                false,
                false);
        ClientState calm = new ClientState(
                "x",
                "client",
                "disconnected",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                false,
                false,
                false);
        StateFilter onlyFlapping = StateFilter.ALL.with(StateFilter.Field.FLAPPING, true);
        StateFilter notFlapping = StateFilter.ALL.with(StateFilter.Field.FLAPPING, false);
        assertThat(onlyFlapping.matches(flapping)).isTrue();
        assertThat(onlyFlapping.matches(calm)).isFalse();
        assertThat(notFlapping.matches(calm)).isTrue();
        assertThat(notFlapping.matches(flapping)).isFalse();
        assertThat(StateFilter.ALL.matches(flapping)).isTrue();
    }

    @Test
    void aBadFlappingValueIs400() {
        asReader()
                .queryParam("flapping", "yes")
                .when()
                .get(STATES)
                .then()
                .statusCode(400)
                .body("title", org.hamcrest.Matchers.containsString("flapping"));
    }
}
