package dev.connmon.support;

import static org.awaitility.Awaitility.await;

import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Pool;
import java.time.Duration;

/**
 * Waits until the MQTT monitoring topic has published every stored state change. Tests that write tens of thousands
 * of changes call it when they are done, so that the backlog does not delay the tests that come after them (the
 * monitoring topic and SSE tests expect their own changes within seconds).
 */
public final class MonitorBacklog {
    private MonitorBacklog() {}

    public static void awaitDrained(Pool pool) {
        long started = System.nanoTime();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> pool.query("""
                SELECT (SELECT change_id FROM monitor_cursor WHERE id = 1)
                       >= coalesce((SELECT max(id) FROM state_change), 0) AS drained""")
                        .execute()
                        .await()
                        .atMost(Duration.ofSeconds(10))
                        .iterator()
                        .next()
                        .getBoolean("drained"));
        Log.infof("Monitoring topic caught up with the state changes in %.1f s", (System.nanoTime() - started) / 1e9);
    }
}
