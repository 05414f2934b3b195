package dev.connmon.embedded;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.state.NodeHeartbeats;
import dev.connmon.state.StateRepository;
import io.quarkus.logging.Log;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * No ghosts on connmon's own broker. The embedded broker lives in connmon's JVM, so every connection through it ends
 * when connmon stops, and connmon is the one process that knows when:
 * <ul>
 * <li>on a graceful stop (while the datasource is still up, before EmbeddedMain closes the broker) every client
 * shown connected through this node is disconnected by the server, 0x8B, at the stop time;</li>
 * <li>a heartbeat keeps the node's last sign of life in PostgreSQL; after a crash, the next start disconnects them
 * at that time, before the ingest pipeline takes any event of the new run.</li>
 * </ul>
 * Scoped to this node's name, so instances sharing a database never end each other's clients. A dev-mode live
 * reload restarts Quarkus, not the broker: its connections stay, and so does their state. Active only when
 * EmbeddedMain started the broker; the native build has no embedded package, and so none of this.
 */
@ApplicationScoped
class EmbeddedNodeGuard {
    /** How long a stop waits for its disconnects to be committed. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private static final Duration START_WAIT = Duration.ofSeconds(30);
    private static final String DIALECT = "connmon";
    /** The source name of connmon.mqtt.*, the connection to the embedded broker. */
    private static final String SOURCE = "default";

    private final NodeHeartbeats heartbeats;
    private final StateRepository repository;
    private final Vertx vertx;
    private final Duration heartbeat;
    private final AtomicBoolean beating = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** Said once per outage, not at every beat. */
    private boolean failing;

    private EmbeddedNode node;
    /** When the connections of earlier runs ended at the latest known: the previous run's last sign of life. */
    private Instant previousEnd;

    private long timer = -1;

    EmbeddedNodeGuard(NodeHeartbeats heartbeats, StateRepository repository, Vertx vertx, ConnmonConfig config) {
        Duration heartbeat = config.embedded().heartbeat();
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException(
                    "connmon.embedded.heartbeat must be a positive duration, not " + heartbeat);
        }
        this.heartbeats = heartbeats;
        this.repository = repository;
        this.vertx = vertx;
        this.heartbeat = heartbeat;
    }

    /**
     * First among the start observers: IngestPipeline subscribes (and so connects to the broker) after this, and
     * the broker, started beside Quarkus, listens by then.
     */
    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        node = EmbeddedNode.running();
        if (node == null) {
            return;
        }
        BrokerLaunch.awaitListening(START_WAIT);
        NodeHeartbeats.PreviousRun previous =
                heartbeats.previousRun(node.name()).await().atMost(START_WAIT);
        // a connection of an earlier run ended at the latest when this broker started
        previousEnd = previous == null ? node.startedAt() : previous.lastAlive();
        // the same broker run: Quarkus reloaded in dev mode, the broker and its connections stayed
        boolean sameBroker = previous != null && previous.startedAt().equals(node.startedAt());
        if (previous != null && !sameBroker) {
            int disconnected = sweepEarlierRuns().await().atMost(START_WAIT);
            if (!previous.stopped()) {
                Log.warnf(
                        "connmon stopped unexpectedly; disconnected at the latest %s (one heartbeat after its last"
                                + " sign of life, %s, the time recorded): %d client(s) still shown connected through embedded"
                                + " node '%s', by the server with 0x8B Server shutting down",
                        previousEnd.plus(heartbeat), previousEnd, disconnected, node.name());
            } else if (disconnected > 0) {
                Log.infof(
                        "%d client(s) of embedded node '%s' stored as connected after its stop at %s are disconnected"
                                + " at that time",
                        disconnected, node.name(), previousEnd);
            }
        }
        heartbeats.started(node.name(), node.startedAt(), Instant.now()).await().atMost(START_WAIT);
        timer = vertx.setPeriodic(heartbeat.toMillis(), id -> beat());
    }

    /**
     * First among the stop observers, while the pool is open; EmbeddedMain closes the broker only after Quarkus has
     * stopped.
     */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        // a dev-mode reload was seen to deliver the event twice
        if (node == null || !stopped.compareAndSet(false, true)) {
            return;
        }
        vertx.cancelTimer(timer);
        if (LaunchMode.current() == LaunchMode.DEVELOPMENT && !jvmExiting()) {
            Log.infof(
                    "Live reload: the embedded broker keeps running, and the connections of node '%s' with it",
                    node.name());
            return;
        }
        // first the broker stops reporting, then what was reported up to now is ended: a connect after this is not
        // stored (the broker is going down; the device is recorded when it comes back), and one stored late from
        // before it is ended at the next start, before ingest, and by every heartbeat
        BrokerLaunch.seal();
        Instant stop = Instant.now();
        long started = System.nanoTime();
        try {
            int disconnected = repository
                    .disconnectNode(node.name(), stop, stop, DIALECT, SOURCE)
                    .call(() -> heartbeats.stopped(node.name(), stop))
                    .await()
                    .atMost(STOP_WAIT);
            Log.infof(
                    "connmon is stopping: %d client(s) of embedded node '%s' disconnected by the server (0x8B Server"
                            + " shutting down) at %s, in %d ms",
                    disconnected, node.name(), stop, (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            Log.errorf(
                    "connmon is stopping and could not record within %s that the clients of embedded node '%s' are"
                            + " disconnected (%s); its next start disconnects them at its last heartbeat",
                    STOP_WAIT, node.name(), e.getMessage());
        }
    }

    /**
     * Every beat also looks for clients of this node connected since before this run, which only a late event can
     * have put there: one index lookup, and a sweep only when it finds one.
     */
    private void beat() {
        if (!beating.compareAndSet(false, true)) {
            return;
        }
        heartbeats
                .beat(node.name(), Instant.now(), node.startedAt())
                .chain(stale -> stale ? sweepEarlierRuns() : Uni.createFrom().item(0))
                .eventually(() -> beating.set(false))
                .subscribe()
                .with(
                        disconnected -> {
                            if (failing) {
                                failing = false;
                                Log.infof("The heartbeat of embedded node '%s' is recorded again", node.name());
                            }
                            if (disconnected > 0) {
                                Log.infof(
                                        "%d client(s) of embedded node '%s' stored late as connected in an earlier"
                                                + " run are disconnected at %s",
                                        disconnected, node.name(), previousEnd);
                            }
                        },
                        failure -> {
                            if (!failing) {
                                failing = true;
                                Log.warnf(
                                        "Cannot record the heartbeat of embedded node '%s' (%s); after a crash now,"
                                                + " its clients would be disconnected at the last one recorded",
                                        node.name(), failure.getMessage());
                            }
                        });
    }

    /** A live reload stops Quarkus while the JVM, and the broker in it, go on; quitting dev mode exits the JVM. */
    private static boolean jvmExiting() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException shutdownInProgress) {
            return true;
        }
    }

    /** Connects before this broker started belong to connections that its restart ended. */
    private Uni<Integer> sweepEarlierRuns() {
        return repository.disconnectNode(
                node.name(), previousEnd, node.startedAt().minusMillis(1), DIALECT, SOURCE);
    }
}
