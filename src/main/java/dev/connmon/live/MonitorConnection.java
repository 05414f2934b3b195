package dev.connmon.live;

import dev.connmon.ingest.MqttSourceSettings;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.logging.Log;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The broker connection the monitoring topics are published on (docs/api.md §4, §7, §11): retained QoS 1 messages,
 * many in flight at once, each complete when the broker's PUBACK for it arrives.
 * <p>
 * Why not the messaging connector's MQTT sink: it sends one message at a time, each waiting for the previous one's
 * write, on the event loop ingest shares; at a few thousand changes a second it fell behind the change feed, was
 * dropped from it ("the queue is full") and resumed from its cursor again and again, republishing what it had sent.
 * Here publishes are written as they come, in order (one connection keeps a topic's messages in order),
 * and only the PUBACK says a message is the broker's, so the publisher's cursor never passes an unacknowledged one.
 * <p>
 * Everything runs on one Vert.x context; callers may be on any thread.
 */
final class MonitorConnection {
    private static final int MAX_BACKOFF_MS = 10_000;

    private final Vertx vertx;
    private final Context context;
    private final MqttSourceSettings settings;
    private final int inflight;

    private MqttClient client;
    private long generation;
    private boolean connected;
    private boolean stopped;
    private int backoffMs;
    /** PUBACKs awaited, by packet id. */
    private final Map<Integer, CompletableFuture<Void>> awaiting = new HashMap<>();
    /** PUBACKs that arrived before their publish's write completed (both on this context, so rare). */
    private final Set<Integer> early = new HashSet<>();

    /** {@code inflight}: publishes awaiting their PUBACK at most; the caller keeps below it. */
    MonitorConnection(Vertx vertx, MqttSourceSettings settings, int inflight) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.settings = settings;
        this.inflight = inflight;
    }

    void start() {
        context.runOnContext(v -> connect());
    }

    void stop() {
        context.runOnContext(v -> {
            stopped = true;
            if (client != null && connected) {
                client.disconnect();
            }
            failAwaiting("the monitoring connection is closing");
        });
    }

    boolean isConnected() {
        return connected;
    }

    String address() {
        return settings.address();
    }

    /** The context this connection runs on: callers that work for it run there too and hop no further. */
    Context context() {
        return context;
    }

    /** A retained QoS 1 message; completes at its PUBACK, fails when the connection is down or drops first. */
    CompletableFuture<Void> publish(String topic, byte[] payload) {
        return publishAll(List.of(new Outgoing(topic, payload))).get(0);
    }

    /** Messages written in this order, with nothing between them; each completes at its own PUBACK. */
    List<CompletableFuture<Void>> publishAll(List<Outgoing> messages) {
        List<CompletableFuture<Void>> acked =
                messages.stream().map(m -> new CompletableFuture<Void>()).toList();
        context.runOnContext(v -> {
            for (int i = 0; i < messages.size(); i++) {
                write(messages.get(i), acked.get(i));
            }
        });
        return acked;
    }

    record Outgoing(String topic, byte[] payload) {}

    private void write(Outgoing message, CompletableFuture<Void> acked) {
        if (!connected) {
            acked.completeExceptionally(new IllegalStateException("not connected to " + settings.address()));
            return;
        }
        if (awaiting.size() >= inflight) {
            acked.completeExceptionally(new IllegalStateException(inflight + " publishes already await their PUBACK"));
            return;
        }
        long attempt = generation;
        client.publish(message.topic(), Buffer.buffer(message.payload()), MqttQoS.AT_LEAST_ONCE, false, true)
                .onComplete(ar -> {
                    if (ar.failed()) {
                        acked.completeExceptionally(ar.cause());
                    } else if (attempt != generation || !connected) {
                        acked.completeExceptionally(new IllegalStateException("the connection dropped"));
                    } else if (early.remove(ar.result())) {
                        acked.complete(null);
                    } else {
                        awaiting.put(ar.result(), acked);
                    }
                });
    }

    private void connect() {
        if (stopped) {
            return;
        }
        long attempt = ++generation;
        MqttClient candidate = MqttClient.create(
                vertx, settings.publisherOptions(MqttSourceSettings.MONITOR_CLIENT_ID_SUFFIX, inflight));
        candidate.publishCompletionHandler(packetId -> {
            if (attempt == generation) {
                CompletableFuture<Void> acked = awaiting.remove(packetId);
                if (acked != null) {
                    acked.complete(null);
                } else {
                    early.add(packetId);
                }
            }
        });
        candidate.closeHandler(v -> onClosed(attempt));
        candidate.exceptionHandler(t -> Log.warnf("Monitoring topic: MQTT error on %s: %s", address(), t.getMessage()));
        candidate.connect(settings.port(), settings.host()).onComplete(ar -> {
            if (attempt != generation || stopped) {
                return;
            }
            if (ar.failed()) {
                Log.warnf(
                        "Monitoring topic: cannot connect to %s: %s; retrying",
                        address(), ar.cause().getMessage());
                scheduleReconnect();
                return;
            }
            client = candidate;
            connected = true;
            backoffMs = 0;
        });
    }

    private void onClosed(long attempt) {
        if (attempt != generation) {
            return;
        }
        boolean was = connected;
        connected = false;
        failAwaiting("the connection to " + address() + " dropped");
        // a connection that never came up is retried by connect itself
        if (!stopped && was) {
            Log.warnf("Monitoring topic: lost the connection to %s; reconnecting", address());
            scheduleReconnect();
        }
    }

    private void failAwaiting(String why) {
        IllegalStateException failure = new IllegalStateException(why);
        List.copyOf(awaiting.values()).forEach(acked -> acked.completeExceptionally(failure));
        awaiting.clear();
        early.clear();
    }

    private void scheduleReconnect() {
        backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(500, backoffMs * 2));
        vertx.setTimer(backoffMs, id -> context.runOnContext(v -> connect()));
    }
}
