package dev.connmon.support;

import dev.connmon.fleet.TimelineSampler;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;

/**
 * The fleet timeline's sample of this interval, taken now. The sampler writes one sample per interval (a minute by
 * default) and skips an interval already sampled, so clients a test has just stored reach the counts only in the next
 * interval: a test would wait up to a minute. Dropping this interval's sample first lets the sampler take it again.
 */
public final class FreshSample {
    private static final String DROP_THIS_INTERVAL = """
            DELETE FROM fleet_sample
             WHERE sampled_at >= to_timestamp(floor(extract(epoch FROM now()) / $1) * $1)""";

    private FreshSample() {}

    /** The time of the sample now written. */
    public static Instant take(Pool pool, TimelineSampler sampler) {
        pool.preparedQuery(DROP_THIS_INTERVAL)
                .execute(Tuple.of((double) sampler.interval().toMillis() / 1000.0))
                .await()
                .atMost(Duration.ofSeconds(10));
        return sampler.sample().await().atMost(Duration.ofSeconds(10));
    }
}
