package dev.connmon.live;

import static dev.connmon.support.Events.connected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.cluster.AdvisoryLocks;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The monitoring publisher's lock session stalls for longer than its one-second check while REST queries keep the
 * pool busy: the instance steps down, ends that session, and leads again once the stalled backend has gone. When it
 * handed the session back to the pool instead, the lock stayed with a session the REST queries went on using, and no
 * instance ever led again.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class LeadershipRecoveryTest {
    private static final Duration STALL = Duration.ofMillis(2500);

    @Inject
    Pool pool;

    @Test
    void aStalledLockSessionIsEndedAndLeadershipReturns() throws Exception {
        String prefix = "stall-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Set<String> published = ConcurrentHashMap.newKeySet();
        Mqtt5BlockingClient monitor = TestMqtt.monitorReader("stall-monitor-" + prefix);
        // this test's two topics only: on a shared broker, connmon/clients/# would first bring every retained state
        // of earlier runs, and the broker drops what queues behind them
        for (String client : List.of(prefix + "before", prefix + "after")) {
            monitor.toAsync()
                    .subscribeWith()
                    .topicFilter(topic(client))
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .callback(message -> published.add(message.getTopic().toString()))
                    .send()
                    .join();
        }
        Mqtt5AsyncClient devices = TestMqtt.eventPublisher("stall-events-" + prefix);
        Instant t0 = Instant.parse("2026-12-01T10:00:00Z");

        TestMqtt.publishEvent(
                devices, "stall", connected(prefix + "before", t0, "c1").encode());
        await().atMost(Duration.ofSeconds(30)).until(() -> published.contains(topic(prefix + "before")));
        int holder = lockHolder();
        assumeTrue(ProcessHandle.of(holder).isPresent(), "the database runs on this machine");

        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicLong answered = new AtomicLong();
        List<Thread> load = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread thread = new Thread(() -> {
                while (loading.get()) {
                    Api.asReader()
                            .queryParam("clientIdPrefix", prefix)
                            .get(Api.STATES)
                            .then()
                            .statusCode(200);
                    answered.incrementAndGet();
                }
            });
            thread.setDaemon(true);
            thread.start();
            load.add(thread);
        }
        try {
            signal("-STOP", holder);
            try {
                Thread.sleep(STALL.toMillis());
            } finally {
                signal("-CONT", holder);
            }
            // the stalled backend finds its socket closed as it resumes, and ends
            await().atMost(Duration.ofSeconds(15)).until(() -> !sessionAlive(holder));
            TestMqtt.publishEvent(
                    devices,
                    "stall",
                    connected(prefix + "after", t0.plusSeconds(1), "c1").encode());
            await().atMost(Duration.ofSeconds(30)).until(() -> published.contains(topic(prefix + "after")));
            assertThat(lockHolder()).isNotEqualTo(holder);
        } finally {
            loading.set(false);
            for (Thread thread : load) {
                thread.join(10_000);
            }
            monitor.disconnect();
            devices.disconnect().join();
        }
        assertThat(answered.get()).as("REST queries answered during the stall").isPositive();
    }

    private static String topic(String clientId) {
        return "connmon/clients/" + clientId + "/state";
    }

    private int lockHolder() {
        Row row = pool.preparedQuery("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 0"
                        + " AND objid::bigint = $1 AND objsubid = 1 AND granted")
                .execute(Tuple.of(AdvisoryLocks.MONITOR_LEADER))
                .await()
                .atMost(Duration.ofSeconds(10))
                .iterator()
                .next();
        return row.getInteger("pid");
    }

    private boolean sessionAlive(int pid) {
        return pool.preparedQuery("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1")
                        .execute(Tuple.of(pid))
                        .await()
                        .atMost(Duration.ofSeconds(10))
                        .iterator()
                        .next()
                        .getLong("n")
                > 0;
    }

    private static void signal(String signal, int pid) throws Exception {
        int exit = new ProcessBuilder("kill", signal, Integer.toString(pid))
                .inheritIO()
                .start()
                .waitFor();
        assertThat(exit).as("kill " + signal + " " + pid).isZero();
    }
}
