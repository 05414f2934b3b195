package dev.connmon.support;

import static org.awaitility.Awaitility.await;

import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Waits until the MQTT monitoring topic has published every stored state change. Tests that write tens of thousands
 * of changes call it when they are done, so that the backlog does not delay the tests that come after them (the
 * monitoring topic and SSE tests expect their own changes within seconds).
 */
public final class MonitorBacklog {
    private MonitorBacklog() {}

    /** 1 once the monitoring cursor has reached the newest state change, else 0. */
    private static final String DRAINED = """
            SELECT CASE WHEN (SELECT change_id FROM monitor_cursor WHERE id = 1)
                             >= coalesce((SELECT max(id) FROM state_change), 0) THEN 1 ELSE 0 END AS drained""";

    public static void awaitDrained(Pool pool) {
        awaitDrained(() -> pool.query(DRAINED)
                        .execute()
                        .await()
                        .atMost(Duration.ofSeconds(10))
                        .iterator()
                        .next()
                        .getInteger("drained")
                == 1);
    }

    /** The same for a packaged app's database, over JDBC. */
    public static void awaitDrained(String jdbcUrl) {
        awaitDrained(() -> LifecycleLoad.query(jdbcUrl, DRAINED) == 1);
    }

    private static void awaitDrained(Callable<Boolean> drained) {
        long started = System.nanoTime();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(drained);
        Log.infof("Monitoring topic caught up with the state changes in %.1f s", (System.nanoTime() - started) / 1e9);
    }
}
