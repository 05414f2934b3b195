package dev.connmon.ingest;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.messages.MqttPublishMessage;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * One broker connection as a stream of messages. Everything here runs on one Vert.x context, so the state needs
 * no locks. The session is persistent (clean session off) and every subscription is QoS 1, so the broker keeps
 * what connmon has not acknowledged, across reconnects and restarts.
 * <p>
 * Connected to the embedded broker in its own JVM, it also takes that broker's events in-process
 * ({@link InProcessLifecycle}).
 */
final class MqttLifecycleSource implements InProcessLifecycle.Receiver {
    // a broker back from an outage is found within 10 s; an attempt every 10 s costs a down broker nothing
    private static final int MAX_BACKOFF_MS = 10_000;
    private final Vertx vertx;
    private final Context context;
    private final MqttSourceSettings settings;

    private MultiEmitter<? super Message<byte[]>> emitter;
    private MqttClient client;
    private long generation;
    private boolean connected;
    private boolean closed;
    private int backoffMs;
    private volatile String status = "connecting";
    private final BiConsumer<String, Instant> sessionLost;
    private Instant lostAt;

    private final InProcessHandOff inProcess;
    /** Whether the broker may be an embedded one in this JVM: only a loopback address can reach it. */
    private final boolean onThisMachine;

    /** {@code sessionLost} hears of every connect without a broker session: events may have been missed since then. */
    MqttLifecycleSource(
            Vertx vertx, MqttSourceSettings settings, BiConsumer<String, Instant> sessionLost, MeterRegistry metrics) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.settings = settings;
        this.sessionLost = sessionLost;
        // resolved once here: connect completes on the event loop, where a DNS lookup must not happen
        this.onThisMachine = settings.isOnThisMachine();
        this.inProcess = new InProcessHandOff(settings, metrics);
    }

    Multi<Message<byte[]>> messages() {
        return Multi.createFrom()
                .<Message<byte[]>>emitter(
                        em -> {
                            em.onRequest(n -> context.runOnContext(v -> resumeIfDemanded()));
                            em.onTermination(() -> context.runOnContext(v -> close()));
                            context.runOnContext(v -> {
                                emitter = em;
                                connect();
                            });
                        },
                        BackPressureStrategy.BUFFER);
    }

    String name() {
        return settings.name();
    }

    boolean isConnected() {
        return "connected".equals(status);
    }

    String status() {
        return settings.address() + " " + status;
    }

    void close() {
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            closed = true;
            status = "closed";
            InProcessLifecycle.detach(settings.port(), this);
            inProcess.releaseHeld();
            if (client != null && connected) {
                client.disconnect();
            }
        });
    }

    private void connect() {
        if (closed) {
            return;
        }
        long attempt = ++generation;
        MqttClient candidate = MqttClient.create(vertx, settings.clientOptions());
        candidate.publishHandler(message -> onMessage(attempt, message));
        candidate.closeHandler(v -> onClosed(attempt));
        candidate.exceptionHandler(t ->
                Log.warnf("Source '%s': MQTT error on %s: %s", settings.name(), settings.address(), t.getMessage()));
        candidate.connect(settings.port(), settings.host()).onComplete(ar -> {
            if (attempt != generation || closed) {
                return;
            }
            if (ar.failed()) {
                status = "unreachable: " + ar.cause().getMessage();
                Log.warnf(
                        "Source '%s': cannot connect to %s as '%s': %s; retrying",
                        settings.name(),
                        settings.address(),
                        settings.clientId(),
                        ar.cause().getMessage());
                scheduleReconnect();
                return;
            }
            client = candidate;
            connected = true;
            backoffMs = 0;
            status = "connected";
            Log.infof(
                    "Source '%s': connected to %s as '%s' (session present: %s), subscribing to %s%s",
                    settings.name(),
                    settings.address(),
                    settings.clientId(),
                    ar.result().isSessionPresent(),
                    settings.topics(),
                    settings.dialect() == null ? "" : " as dialect " + settings.dialect());
            subscribe(candidate);
            if (onThisMachine) {
                InProcessLifecycle.attach(settings.port(), this);
            }
            resumeIfDemanded();
            if (!ar.result().isSessionPresent()) {
                sessionLost.accept(settings.name(), lostAt != null ? lostAt : Instant.now());
            }
            lostAt = null;
        });
    }

    private void subscribe(MqttClient connection) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        settings.topics().forEach(topic -> topics.put(topic, 1));
        connection.subscribeCompletionHandler(suback -> {
            for (int i = 0; i < suback.grantedQoSLevels().size(); i++) {
                if (suback.grantedQoSLevels().get(i) == 0x80) {
                    String topic =
                            settings.topics().get(Math.min(i, settings.topics().size() - 1));
                    status = "subscription to '" + topic + "' refused";
                    Log.errorf("The lifecycle broker %s refused the subscription to '%s'", settings.address(), topic);
                }
            }
        });
        connection.subscribe(topics);
    }

    private void onMessage(long attempt, MqttPublishMessage message) {
        if (attempt != generation || emitter == null) {
            return;
        }
        Metadata metadata = Metadata.of(new LifecycleMessageMetadata(
                settings.name(),
                settings.dialect(),
                settings.clientId(),
                message.topicName(),
                message.qosLevel().value(),
                message.isDup(),
                Instant.now()));
        emitter.emit(Message.of(message.payload().getBytes(), metadata, () -> {
            context.runOnContext(v -> {
                // an ack for a connection that is gone would name a packet id of the new one
                if (attempt == generation && connected) {
                    message.ack();
                }
            });
            return CompletableFuture.completedFuture(null);
        }));
        pauseWithoutDemand();
    }

    private void pauseWithoutDemand() {
        if (emitter != null && emitter.requested() <= 0 && client != null && !client.isPaused()) {
            client.pause();
        }
    }

    /** From a broker thread: an event of the embedded broker this source is connected to. */
    @Override
    public CompletableFuture<Void> offer(String topic, byte[] payload) {
        CompletableFuture<Void> committed = new CompletableFuture<>();
        if (inProcess.admit(committed)) {
            context.runOnContext(v -> {
                boolean takes = connected && emitter != null && subscribedTo(topic);
                inProcess.take(topic, payload, committed, takes, emitter);
                pauseWithoutDemand();
            });
        }
        return committed;
    }

    private boolean subscribedTo(String topic) {
        for (String filter : settings.topics()) {
            if (TopicFilters.matches(filter, topic)) {
                return true;
            }
        }
        return false;
    }

    private void resumeIfDemanded() {
        if (connected && emitter != null) {
            inProcess.emitHeld(emitter);
        }
        if (connected && client != null && client.isPaused() && emitter != null && emitter.requested() > 0) {
            client.resume();
        } else if (connected && client != null && emitter != null && emitter.requested() <= 0 && !client.isPaused()) {
            client.pause();
        }
    }

    private void onClosed(long attempt) {
        if (attempt != generation) {
            return;
        }
        connected = false;
        InProcessLifecycle.detach(settings.port(), this);
        inProcess.releaseHeld();
        if (lostAt == null) {
            lostAt = Instant.now();
        }
        if (!closed) {
            status = "disconnected";
            Log.warnf("Source '%s': lost the connection to %s; reconnecting", settings.name(), settings.address());
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(500, backoffMs * 2));
        vertx.setTimer(backoffMs, id -> context.runOnContext(v -> connect()));
    }
}
