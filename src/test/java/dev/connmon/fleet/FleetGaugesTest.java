package dev.connmon.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** connmon_clients from a sample: folded device types, bounded labels, totals kept. */
class FleetGaugesTest {
    private static FleetBreakdown.SampleRow row(String clientType, String deviceType, long up, long down) {
        return new FleetBreakdown.SampleRow(clientType, deviceType, up, down);
    }

    private static Tags tags(String status, String clientType, String deviceType) {
        return Tags.of("status", status, "client_type", clientType, "device_type", deviceType);
    }

    @Test
    void deviceTypesBeyondTheTopFoldIntoOtherAndNoDeviceTypeIsNone() {
        List<FleetBreakdown.SampleRow> rows = List.of(
                row("device", "pump", 50, 5),
                row("device", "valve", 30, 0),
                row("device", "meter", 2, 1),
                row("gateway", "meter", 1, 0),
                row("device", "probe", 0, 3),
                row("application", "", 4, 1));

        Map<Tags, Double> series = FleetGauges.clientSeries(rows, 2);

        assertThat(series)
                .containsEntry(tags("connected", "device", "pump"), 50.0)
                .containsEntry(tags("disconnected", "device", "pump"), 5.0)
                .containsEntry(tags("connected", "device", "valve"), 30.0)
                .containsEntry(tags("disconnected", "device", "valve"), 0.0)
                .containsEntry(tags("connected", "device", "other"), 2.0)
                .containsEntry(tags("disconnected", "device", "other"), 4.0)
                .containsEntry(tags("connected", "gateway", "other"), 1.0)
                .containsEntry(tags("connected", "application", "none"), 4.0)
                .hasSize(10);
    }

    @Test
    void aThousandDeviceTypesGiveAtMostTopPlusTwoLabelValuesAndTheSameTotals() {
        List<FleetBreakdown.SampleRow> rows = new ArrayList<>();
        long connected = 0;
        long disconnected = 0;
        for (int i = 0; i < 1000; i++) {
            rows.add(row(i % 3 == 0 ? "gateway" : "device", "type-" + i, i, 1));
            connected += i;
            disconnected += 1;
        }
        rows.add(row("client", "", 7, 0));

        Map<Tags, Double> series = FleetGauges.clientSeries(rows, 10);

        assertThat(series.keySet().stream()
                        .map(t -> t.stream()
                                .filter(tag -> tag.getKey().equals("device_type"))
                                .findFirst()
                                .orElseThrow()
                                .getValue())
                        .distinct())
                .as("the top 10, other and none")
                .hasSize(12)
                .contains("other", "none", "type-999", "type-990")
                .doesNotContain("type-989");
        double up = series.entrySet().stream()
                .filter(e -> e.getKey().stream().anyMatch(t -> t.getValue().equals("connected")))
                .mapToDouble(Map.Entry::getValue)
                .sum();
        double down = series.entrySet().stream()
                .filter(e -> e.getKey().stream().anyMatch(t -> t.getValue().equals("disconnected")))
                .mapToDouble(Map.Entry::getValue)
                .sum();
        assertThat(up).isEqualTo(connected + 7);
        assertThat(down).isEqualTo(disconnected);
    }
}
