package dev.connmon.state;

import static dev.connmon.state.AvailabilityTest.at;
import static dev.connmon.state.AvailabilityTest.availability;
import static dev.connmon.state.AvailabilityTest.connect;
import static dev.connmon.state.AvailabilityTest.disconnect;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Availability with planned absences (docs/api.md §10.1, §10.6, §10.7), known answers from histories applied
 * through the real ingest statement: a maintenance window in the database, and the test profile's expectation that
 * sleepy-* clients check in every 3 s with 1 s grace (WebhookReceiver), so 4 s after each disconnect are asleep.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class PlannedAvailabilityTest {
    @Inject
    Pool pool;

    @Inject
    StateRepository repository;

    private void apply(List<LifecycleEvent> events) {
        repository.apply(new IngestBatch(events, List.of())).await().atMost(Duration.ofSeconds(20));
    }

    /** A window as an earlier instance stored it: the table is what every instance and restart reads. */
    private void window(String filter, int fromMinute, int untilMinute, String reason) {
        pool.preparedQuery("""
                        INSERT INTO maintenance_window (filter, starts_at, ends_at, reason, created_at, created_by)
                        VALUES ($1, $2, $3, $4, $2, 'test')""")
                .execute(Tuple.of(
                        filter,
                        at(fromMinute).atOffset(ZoneOffset.UTC),
                        at(untilMinute).atOffset(ZoneOffset.UTC),
                        reason))
                .await()
                .atMost(Duration.ofSeconds(20));
    }

    @Test
    void maintenanceIsNeitherUpNorDownAndAsleepTimeIsUp() {
        String id = "sleepy-avail-" + UUID.randomUUID();
        apply(List.<LifecycleEvent>of(
                connect(id, at(-60), "c1"),
                disconnect(id, at(20), "c1", Initiator.NETWORK),
                connect(id, at(30), "c2"),
                disconnect(id, at(60), "c2", Initiator.SERVER),
                connect(id, at(70), "c3")));
        window("clientIdPrefix=" + id, 50, 65, "pump swap");
        // another client's window changes nothing here
        window("clientIdPrefix=sleepy-other-", 0, 100, "elsewhere");

        JsonPath a = availability(
                id, "since", at(0).toString(), "until", at(100).toString(), "step", "PT50M", "segments", "true");
        // up: 70 min connected and 4 s asleep; down: the rest of the first outage and 5 min after the window
        assertThat(a.getDouble("connectedSeconds")).isEqualTo(4200.0);
        assertThat(a.getDouble("asleepSeconds")).isEqualTo(4.0);
        assertThat(a.getDouble("disconnectedSeconds")).isEqualTo(896.0);
        assertThat(a.getDouble("maintenanceSeconds")).isEqualTo(900.0);
        assertThat(a.getDouble("unknownSeconds")).isEqualTo(0.0);
        assertThat(a.getDouble("availability")).isCloseTo(4204.0 / 5100.0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(a.getList("segments.status"))
                .containsExactly(
                        "connected", "asleep", "disconnected", "connected", "maintenance", "disconnected", "connected");
        assertThat(a.getString("segments[4].cause")).isEqualTo("Maintenance: pump swap");
        assertThat(a.getString("segments[2].cause")).startsWith("Overdue: missed its check-in due at");
        assertThat(a.getString("longestOutage.start")).isEqualTo("2026-11-20T10:20:04.000Z");
        assertThat(a.getDouble("buckets[0].asleepSeconds")).isEqualTo(4.0);
        assertThat(a.getDouble("buckets[0].disconnectedSeconds")).isEqualTo(596.0);
        assertThat(a.getDouble("buckets[1].maintenanceSeconds")).isEqualTo(900.0);
        assertThat(a.getDouble("buckets[1].disconnectedSeconds")).isEqualTo(300.0);
        assertThat(a.getDouble("buckets[1].availability"))
                .isCloseTo(1800.0 / 2100.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void aClientNoExpectationNamesIsDownFromItsDisconnect() {
        String id = "d:avail:plain:" + UUID.randomUUID();
        apply(List.of(
                connect(id, at(-60), "c1"),
                disconnect(id, at(20), "c1", Initiator.NETWORK),
                connect(id, at(30), "c2")));
        JsonPath a = availability(id, "since", at(0).toString(), "until", at(100).toString());
        assertThat(a.getDouble("asleepSeconds")).isEqualTo(0.0);
        assertThat(a.getDouble("maintenanceSeconds")).isEqualTo(0.0);
        assertThat(a.getDouble("disconnectedSeconds")).isEqualTo(600.0);
        assertThat(a.getDouble("availability")).isEqualTo(0.9);
    }
}
