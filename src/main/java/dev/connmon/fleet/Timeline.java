package dev.connmon.fleet;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/**
 * The fleet timeline (docs/api.md §10.2): per bucket, the matching clients connected and disconnected at its end
 * ({@code null} where connmon has no sample of that time) and the events stored with a time inside it.
 */
@RegisterForReflection
public record Timeline(String since, String until, String step, List<Bucket> buckets) {

    @RegisterForReflection
    public record Bucket(
            String start,
            String end,
            Long connected,
            Long disconnected,
            long connects,
            long failedConnects,
            Map<String, Long> disconnects) {}
}
