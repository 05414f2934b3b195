package dev.connmon.fleet;

import dev.connmon.lifecycle.Instants;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the fleet timeline (docs/api.md §10.2) from the per-minute counters and the samples (V8_1 migration): two
 * range reads of at most one row per minute and sample per (client type, device type), whatever the number of
 * clients.
 * <p>
 * Buckets start at {@code since} rounded down to the minute and last {@code step} (whole minutes); the last ends
 * at {@code until}. A bucket's counts are those of the newest sample at or before its end and no more than two
 * sample intervals older; with none, {@code null}. A last bucket that ends now takes the newest sample if it is at
 * most one interval old, else a live count of the matching states.
 */
@ApplicationScoped
public class TimelineReader {
    private final Pool pool;
    private final TimelineSampler sampler;

    TimelineReader(Pool pool, TimelineSampler sampler) {
        this.pool = pool;
        this.sampler = sampler;
    }

    /** Optional filters; null matches every client. */
    public record Filter(String clientType, String deviceType) {}

    public Uni<Timeline> timeline(Instant since, Instant until, Duration step, Filter filter, Instant now) {
        Instant start = since.truncatedTo(ChronoUnit.MINUTES);
        Duration tolerance = sampler.interval().multipliedBy(2);
        List<Object> params = new ArrayList<>(List.of(start.atOffset(ZoneOffset.UTC), until.atOffset(ZoneOffset.UTC)));
        String match = match(filter, params);
        Uni<RowSet<Row>> events =
                pool.preparedQuery("""
                SELECT minute, sum(connects) AS connects, sum(failed_connects) AS failed,
                       sum(disconnects_client) AS client, sum(disconnects_server) AS server,
                       sum(disconnects_network) AS network, sum(disconnects_unknown) AS unknown
                  FROM fleet_event_minute WHERE minute >= $1 AND minute < $2 AND""" + match + "\n GROUP BY minute").execute(Tuple.from(params));
        List<Object> sampleParams = new ArrayList<>(
                List.of(start.minus(tolerance).atOffset(ZoneOffset.UTC), until.atOffset(ZoneOffset.UTC)));
        String sampleMatch = match(filter, sampleParams);
        Uni<RowSet<Row>> samples =
                pool.preparedQuery("""
                SELECT sampled_at, coalesce(sum(connected) FILTER (WHERE client_type <> '' AND""" + sampleMatch + """
                ), 0) AS connected,
                       coalesce(sum(disconnected) FILTER (WHERE client_type <> '' AND""" + sampleMatch + """
                ), 0) AS disconnected
                  FROM fleet_sample WHERE sampled_at > $1 AND sampled_at <= $2
                 GROUP BY sampled_at ORDER BY sampled_at""").execute(Tuple.from(sampleParams));
        boolean endsNow = !until.isBefore(now.minus(sampler.interval()));
        return Uni.combine().all().unis(events, samples).asTuple().chain(t -> {
            long[] fresh = endsNow ? freshSample(t.getItem2(), now) : null;
            Uni<long[]> current = !endsNow
                    ? Uni.createFrom().nullItem()
                    : fresh != null ? Uni.createFrom().item(fresh) : current(filter);
            return current.map(counts -> build(start, until, step, tolerance, t.getItem1(), t.getItem2(), counts));
        });
    }

    /**
     * The newest sample's counts if it is at most one sample interval old: what a last bucket that ends now shows.
     * Counting a million client states live costs 60–250 ms (a scan of the table: measured in docs/benchmarks.md),
     * more than the whole timeline's budget; the sample is at most {@code connmon.timeline.sample-interval} old.
     */
    private long[] freshSample(RowSet<Row> sampleRows, Instant now) {
        Row newest = null;
        for (Row row : sampleRows) {
            newest = row;
        }
        if (newest == null
                || newest.getOffsetDateTime("sampled_at").toInstant().isBefore(now.minus(sampler.interval()))) {
            return null;
        }
        return new long[] {newest.getLong("connected"), newest.getLong("disconnected")};
    }

    /**
     * The connected and disconnected counts of the matching client states now, grouped by status so that the
     * status index (whole fleet) or the device-type + status index (deviceType) can answer it without the heap.
     */
    private Uni<long[]> current(Filter filter) {
        List<Object> params = new ArrayList<>();
        String match = match(filter, params);
        return pool.preparedQuery("SELECT connection_status, count(*) AS n FROM client_state WHERE" + match
                        + " GROUP BY connection_status")
                .execute(Tuple.from(params))
                .map(rows -> {
                    long[] counts = new long[2];
                    for (Row row : rows) {
                        counts[row.getString("connection_status").equals("connected") ? 0 : 1] = row.getLong("n");
                    }
                    return counts;
                });
    }

    /** " condition" on client_type / device_type (as stored: '' for no device type), or " true". */
    private static String match(Filter filter, List<Object> params) {
        List<String> conditions = new ArrayList<>();
        if (filter.clientType() != null) {
            params.add(filter.clientType());
            conditions.add("client_type = $" + params.size());
        }
        if (filter.deviceType() != null) {
            params.add(filter.deviceType());
            conditions.add("device_type = $" + params.size());
        }
        return conditions.isEmpty() ? " true" : " " + String.join(" AND ", conditions);
    }

    private static Timeline build(
            Instant start,
            Instant until,
            Duration step,
            Duration tolerance,
            RowSet<Row> eventRows,
            RowSet<Row> sampleRows,
            long[] current) {
        long stepMillis = step.toMillis();
        List<long[]> counts = new ArrayList<>();
        List<Instant[]> bounds = new ArrayList<>();
        for (Instant from = start; from.isBefore(until); from = from.plusMillis(stepMillis)) {
            Instant to = from.plusMillis(stepMillis).isBefore(until) ? from.plusMillis(stepMillis) : until;
            bounds.add(new Instant[] {from, to});
            counts.add(new long[6]);
        }
        for (Row row : eventRows) {
            long offset = row.getOffsetDateTime("minute").toInstant().toEpochMilli() - start.toEpochMilli();
            int index = (int) (offset / stepMillis);
            if (index >= 0 && index < counts.size()) {
                long[] c = counts.get(index);
                c[0] += row.getLong("connects");
                c[1] += row.getLong("failed");
                c[2] += row.getLong("client");
                c[3] += row.getLong("server");
                c[4] += row.getLong("network");
                c[5] += row.getLong("unknown");
            }
        }
        TreeMap<Instant, long[]> samples = new TreeMap<>();
        for (Row row : sampleRows) {
            samples.put(
                    row.getOffsetDateTime("sampled_at").toInstant(),
                    new long[] {row.getLong("connected"), row.getLong("disconnected")});
        }
        List<Timeline.Bucket> buckets = new ArrayList<>(counts.size());
        for (int i = 0; i < counts.size(); i++) {
            Instant end = bounds.get(i)[1];
            long[] status = i == counts.size() - 1 && current != null ? current : sampleAt(samples, end, tolerance);
            long[] c = counts.get(i);
            Map<String, Long> disconnects = new TreeMap<>(Map.of("client", c[2], "server", c[3], "network", c[4]));
            if (c[5] > 0) {
                disconnects.put("unknown", c[5]);
            }
            buckets.add(new Timeline.Bucket(
                    Instants.format(bounds.get(i)[0]),
                    Instants.format(end),
                    status == null ? null : status[0],
                    status == null ? null : status[1],
                    c[0],
                    c[1],
                    disconnects));
        }
        return new Timeline(Instants.format(start), Instants.format(until), step.toString(), buckets);
    }

    private static long[] sampleAt(TreeMap<Instant, long[]> samples, Instant end, Duration tolerance) {
        Map.Entry<Instant, long[]> sample = samples.floorEntry(end);
        return sample == null || sample.getKey().isBefore(end.minus(tolerance)) ? null : sample.getValue();
    }
}
