package dev.connmon.fleet;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.metrics.Gauges;
import dev.connmon.metrics.SeriesSet;
import dev.connmon.query.FilterText;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateReader;
import dev.connmon.query.StateSort;
import dev.connmon.schedule.MaintenanceWindows;
import dev.connmon.state.ClientState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The fleet's gauges in {@code /q/metrics} (docs/api.md §5): {@code connmon_clients{status,client_type,device_type}}
 * from the newest timeline sample, {@code connmon_clients_flapping}, {@code connmon_clients_in_maintenance} and the
 * allow-listed
 * {@code connmon_client_connected{client_id}}. Every instance refreshes them from the shared database
 * after each timeline sampler pass, so every instance reports the same values, and a scrape reads memory only: its
 * cost does not grow with the fleet.
 */
@ApplicationScoped
public class FleetGauges {
    static final String OTHER = "other";
    static final String NONE = "none";

    private final FleetBreakdown breakdown;
    private final StateReader states;
    private final int deviceTypesTop;
    private final List<String> clientPrefixes;
    private final int clientsMax;
    private final SeriesSet clients;
    private final SeriesSet perClient;
    private final AtomicLong flapping = new AtomicLong(-1);

    FleetGauges(
            FleetBreakdown breakdown,
            StateReader states,
            MaintenanceWindows maintenance,
            MeterRegistry metrics,
            ConnmonConfig config) {
        this.breakdown = breakdown;
        this.states = states;
        this.deviceTypesTop = config.metrics().deviceTypesTop();
        this.clientPrefixes = config.metrics().clients().orElse(List.of());
        this.clientsMax = config.metrics().clientsMax();
        this.clients = new SeriesSet(
                metrics, "connmon.clients", "Clients by status, client type and device type (newest timeline sample)");
        this.perClient = new SeriesSet(
                metrics, "connmon.client.connected", "1 while an allow-listed client is connected, else 0");
        Gauges.register(
                metrics,
                "connmon.clients.flapping",
                Tags.empty(),
                "Clients flapping now",
                flapping,
                count -> count.get() < 0 ? Double.NaN : count.get());
        // a count kept at most MaintenanceWindows.COUNT_AGE old, 0 without a query while no window is active
        Gauges.register(
                metrics,
                "connmon.clients.in.maintenance",
                Tags.empty(),
                "Clients in a maintenance window now",
                maintenance,
                MaintenanceWindows::clientsInMaintenanceNow);
    }

    /** Reads the fleet's counts from the database (a few indexed queries, not one per client) into the gauges. */
    public Uni<Void> refresh() {
        StateFilter flappingNow = FilterText.parse("flapping=true").filter(Instant.now());
        return Uni.combine()
                .all()
                .unis(breakdown.newestSample(), states.count(flappingNow), allowListed())
                .with((sample, flappingCount, listed) -> {
                    clients.set(clientSeries(sample.rows(), deviceTypesTop));
                    flapping.set(flappingCount);
                    perClient.set(listed);
                    return null;
                })
                .replaceWithVoid();
    }

    /**
     * One series per (status, client type, device type) of the sample, device types beyond the {@code top} with the
     * most clients folded into {@code other}, no device type as {@code none}; both statuses of every pair, zeros too.
     */
    static Map<Tags, Double> clientSeries(List<FleetBreakdown.SampleRow> rows, int top) {
        Map<String, Long> totals = new TreeMap<>();
        rows.forEach(row -> {
            if (!row.deviceType().isEmpty()) {
                totals.merge(row.deviceType(), row.connected() + row.disconnected(), Long::sum);
            }
        });
        List<String> kept = totals.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .map(Map.Entry::getKey)
                .toList();
        Map<Tags, Double> series = new LinkedHashMap<>();
        for (FleetBreakdown.SampleRow row : rows) {
            String deviceType =
                    row.deviceType().isEmpty() ? NONE : kept.contains(row.deviceType()) ? row.deviceType() : OTHER;
            series.merge(tags("connected", row.clientType(), deviceType), (double) row.connected(), Double::sum);
            series.merge(tags("disconnected", row.clientType(), deviceType), (double) row.disconnected(), Double::sum);
        }
        return series;
    }

    /** The allow-listed clients, prefix by prefix in client-id order, at most {@code clientsMax} in all. */
    private Uni<Map<Tags, Double>> allowListed() {
        Map<Tags, Double> series = new LinkedHashMap<>();
        if (clientPrefixes.isEmpty() || clientsMax == 0) {
            return Uni.createFrom().item(series);
        }
        return Multi.createFrom()
                .iterable(clientPrefixes)
                .onItem()
                .transformToUniAndConcatenate(prefix -> series.size() >= clientsMax
                        ? Uni.createFrom().item(List.<ClientState>of())
                        : states.list(
                                        StateFilter.ALL.with(StateFilter.Field.CLIENT_ID_PREFIX, prefix),
                                        StateSort.BY_ID,
                                        null,
                                        clientsMax - series.size())
                                .map(page -> page.results()))
                .invoke(page -> page.forEach(state -> {
                    if (series.size() < clientsMax || series.containsKey(Tags.of("client_id", state.id()))) {
                        series.put(
                                Tags.of("client_id", state.id()),
                                "connected".equals(state.connectionStatus()) ? 1.0 : 0.0);
                    }
                }))
                .collect()
                .last()
                .replaceWith(series);
    }

    private static Tags tags(String status, String clientType, String deviceType) {
        return Tags.of("status", status, "client_type", clientType, "device_type", deviceType);
    }
}
