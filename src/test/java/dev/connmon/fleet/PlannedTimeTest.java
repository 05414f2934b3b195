package dev.connmon.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.fleet.AvailabilityCalculator.LogEvent;
import dev.connmon.fleet.AvailabilityCalculator.Maintenance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Planned absences laid over a client's stretches (docs/api.md §10.1): the calculator alone, without a database. */
class PlannedTimeTest {
    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private static Instant at(int minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    private static LogEvent connect(int minute, String connection) {
        return new LogEvent(at(minute), "connected", null, connection);
    }

    private static LogEvent disconnect(int minute, String connection) {
        return new LogEvent(at(minute), "disconnected", "network", connection);
    }

    private static Availability compute(
            List<LogEvent> before, List<LogEvent> window, Duration sleep, List<Maintenance> maintenance) {
        return AvailabilityCalculator.compute(
                "c", at(0), at(100), before, window, null, null, true, sleep, maintenance);
    }

    @Test
    void aSleepThatBeganBeforeTheWindowIsCountedFromItsDisconnect() {
        // disconnected 10 minutes before the window, asleep for 15: 5 minutes of the window are asleep
        Availability a = compute(
                List.of(connect(-60, "c1"), disconnect(-10, "c1")),
                List.of(connect(50, "c2")),
                Duration.ofMinutes(15),
                List.of());
        assertThat(a.asleepSeconds()).isEqualTo(300.0);
        assertThat(a.disconnectedSeconds()).isEqualTo(2700.0);
        assertThat(a.connectedSeconds()).isEqualTo(3000.0);
        assertThat(a.availability()).isEqualTo(3300.0 / 6000.0);
        assertThat(a.longestOutage().start()).isEqualTo("2026-11-20T10:05:00.000Z");
    }

    @Test
    void overlappingWindowsCountOnceAndCoverEveryStatus() {
        Availability a = compute(
                List.of(),
                List.of(connect(10, "c1"), disconnect(40, "c1")),
                null,
                List.of(
                        new Maintenance(at(-5), at(20), "first"),
                        new Maintenance(at(15), at(45), "second"),
                        new Maintenance(at(90), at(200), "")));
        // unknown [0, 10) and connected [10, 40) and disconnected [40, 45) all under the windows: [0, 45) + [90, 100)
        assertThat(a.maintenanceSeconds()).isEqualTo(3300.0);
        assertThat(a.unknownSeconds()).isEqualTo(0.0);
        assertThat(a.connectedSeconds()).isEqualTo(0.0);
        assertThat(a.disconnectedSeconds()).isEqualTo(2700.0);
        assertThat(a.availability()).isEqualTo(0.0);
        assertThat(a.segments())
                .extracting(Availability.Segment::status)
                .containsExactly("maintenance", "disconnected", "maintenance");
        assertThat(a.segments().get(0).cause()).isEqualTo("Maintenance: first");
        assertThat(a.segments().get(2).cause()).isEqualTo("Maintenance");
    }

    @Test
    void withoutPlannedAbsencesTheAnswerIsUnchanged() {
        List<LogEvent> window = List.of(connect(10, "c1"), disconnect(40, "c1"), connect(60, "c2"));
        Availability plain = compute(List.of(), window, null, List.of());
        assertThat(plain.availability()).isEqualTo(4200.0 / 5400.0);
        assertThat(plain.asleepSeconds()).isZero();
        assertThat(plain.maintenanceSeconds()).isZero();
        assertThat(plain.segments())
                .extracting(Availability.Segment::status)
                .containsExactly("unknown", "connected", "disconnected", "connected");
    }
}
