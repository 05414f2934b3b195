package dev.connmon.fleet;

import dev.connmon.lifecycle.Instants;
import dev.connmon.lifecycle.LogMessages;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateListQuery;
import dev.connmon.query.StateSort;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fleet broken down for the dashboard (docs/api.md §10.5): clients by the reason of their last disconnect, and
 * the client and device types with their counts as of the newest timeline sample.
 */
@ApplicationScoped
public class FleetBreakdown {
    /** Clients whose last disconnect had this initiator and reason code; {@code message} reads as the log does. */
    @RegisterForReflection
    public record Reason(
            String initiator, Integer reasonCode, String reason, String message, long clients, long disconnectedNow) {}

    @RegisterForReflection
    public record Reasons(String since, String until, List<Reason> reasons) {}

    @RegisterForReflection
    public record DeviceType(String deviceType, long connected, long disconnected) {}

    /** {@code sampledAt} is null when no sample was written yet (then both are empty). */
    @RegisterForReflection
    public record Types(String sampledAt, Map<String, Long> clientTypes, List<DeviceType> deviceTypes) {}

    private final Pool pool;

    FleetBreakdown(Pool pool) {
        this.pool = pool;
    }

    /**
     * Clients whose last disconnect is after {@code since}, grouped by its initiator and reason code, most clients
     * first: a range of the disconnect-time index, whatever the size of the fleet.
     */
    public Uni<Reasons> reasons(Instant since, Instant now, String clientType, String deviceType, int limit) {
        List<Object> params = new ArrayList<>();
        StateFilter filter = StateFilter.ALL
                .with(StateFilter.Field.DISCONNECTED_AFTER, since)
                .with(StateFilter.Field.CLIENT_TYPE, clientType)
                .with(StateFilter.Field.DEVICE_TYPE, deviceType);
        List<String> where = StateListQuery.conditions(filter, params);
        where.add("disconnect_time <= now()");
        params.add(limit);
        String sql = """
                SELECT disconnect_initiator, disconnect_reason_code,
                       mode() WITHIN GROUP (ORDER BY disconnect_reason) AS reason, count(*) AS clients,
                       count(*) FILTER (WHERE connection_status = 'disconnected') AS disconnected_now
                  FROM %s WHERE %s
                 GROUP BY disconnect_initiator, disconnect_reason_code
                 ORDER BY clients DESC, disconnect_initiator NULLS LAST, disconnect_reason_code NULLS LAST
                 LIMIT $%d""".formatted(
                        StateListQuery.tables(filter, StateSort.BY_ID), String.join(" AND ", where), params.size());
        return pool.preparedQuery(sql).execute(Tuple.from(params)).map(rows -> {
            List<Reason> reasons = new ArrayList<>();
            for (Row row : rows) {
                String initiator = row.getString("disconnect_initiator");
                Integer code = row.getInteger("disconnect_reason_code");
                String reason = row.getString("reason");
                reasons.add(new Reason(
                        initiator,
                        code,
                        reason,
                        LogMessages.message("disconnected", initiator, code, reason, null, null),
                        row.getLong("clients"),
                        row.getLong("disconnected_now")));
            }
            return new Reasons(Instants.format(since), Instants.format(now), reasons);
        });
    }

    /** One row of a timeline sample: the clients of a client type and device type ({@code ""}: none). */
    public record SampleRow(String clientType, String deviceType, long connected, long disconnected) {}

    /** The rows of the newest timeline sample and its time (null, and no rows, before the first sample). */
    public record Sample(Instant sampledAt, List<SampleRow> rows) {}

    /** The newest timeline sample: one row per (client type, device type) pair, not per client. */
    public Uni<Sample> newestSample() {
        return pool.preparedQuery("""
                        SELECT s.sampled_at, s.client_type, s.device_type, s.connected, s.disconnected
                          FROM fleet_sample s
                         WHERE s.client_type <> ''
                           AND s.sampled_at = (SELECT max(sampled_at) FROM fleet_sample WHERE client_type = '')""").execute().map(rows -> {
            List<SampleRow> sample = new ArrayList<>();
            OffsetDateTime at = null;
            for (Row row : rows) {
                at = row.getOffsetDateTime("sampled_at");
                sample.add(new SampleRow(
                        row.getString("client_type"),
                        row.getString("device_type"),
                        row.getLong("connected"),
                        row.getLong("disconnected")));
            }
            return new Sample(at == null ? null : at.toInstant(), sample);
        });
    }

    /** The client and device types of the newest timeline sample (one row per pair), most clients first. */
    public Uni<Types> types(int limit) {
        return newestSample().map(sample -> {
            Map<String, Long> clientTypes = new TreeMap<>();
            Map<String, long[]> deviceTypes = new TreeMap<>();
            for (SampleRow row : sample.rows()) {
                clientTypes.merge(row.clientType(), row.connected() + row.disconnected(), Long::sum);
                if (!row.deviceType().isEmpty()) {
                    long[] counts = deviceTypes.computeIfAbsent(row.deviceType(), t -> new long[2]);
                    counts[0] += row.connected();
                    counts[1] += row.disconnected();
                }
            }
            List<DeviceType> types = new ArrayList<>();
            deviceTypes.forEach((type, counts) -> types.add(new DeviceType(type, counts[0], counts[1])));
            types.sort((a, b) -> Long.compare(b.connected() + b.disconnected(), a.connected() + a.disconnected()));
            return new Types(
                    sample.sampledAt() == null ? null : Instants.format(sample.sampledAt()),
                    clientTypes,
                    List.copyOf(types.subList(0, Math.min(limit, types.size()))));
        });
    }
}
