package dev.connmon.ingest;

import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.dialect.DecodeException;
import dev.connmon.lifecycle.dialect.Dialect;
import dev.connmon.lifecycle.dialect.DialectRegistry;
import dev.connmon.state.Rejection;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Turns one MQTT message into events or a counted, logged and stored rejection; never throws. */
@ApplicationScoped
class MessageDecoder {
    /** Distinct rejection reasons logged at WARN; past this, rejections are only counted and stored. */
    private static final int MAX_LOGGED_REASONS = 1000;
    /** How much of a rejected payload is kept for inspection. */
    static final int MAX_STORED_PAYLOAD = 64 * 1024;

    private final DialectRegistry dialects;
    private final MeterRegistry metrics;
    private final int maxPayloadBytes;
    private final Set<String> loggedReasons = ConcurrentHashMap.newKeySet();

    MessageDecoder(DialectRegistry dialects, MeterRegistry metrics,
            @ConfigProperty(name = "connmon.ingest.max-payload-bytes", defaultValue = "65536") int maxPayloadBytes) {
        this.dialects = dialects;
        this.metrics = metrics;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    Decoded decode(String topic, byte[] payload, Instant receivedAt) {
        Optional<Dialect> dialect = dialects.forTopic(topic);
        if (dialect.isEmpty()) {
            return reject(topic, null, "no dialect matches the topic", payload, receivedAt);
        }
        String name = dialect.get().name();
        if (payload.length > maxPayloadBytes) {
            return reject(topic, name, "payload of " + payload.length + " bytes exceeds the limit of "
                    + maxPayloadBytes, payload, receivedAt);
        }
        try {
            List<LifecycleEvent> events = dialect.get().decode(topic, payload);
            for (LifecycleEvent event : events) {
                metrics.counter("connmon.events.ingested", "dialect", name, "event", event.type().wireName())
                        .increment();
            }
            return new Decoded(topic, payload, receivedAt, name, events, null);
        } catch (DecodeException e) {
            return reject(topic, name, e.getMessage(), payload, receivedAt);
        } catch (RuntimeException e) {
            // a decoder bug must cost one message, not the pipeline
            return reject(topic, name, "decoder failed: " + e, payload, receivedAt);
        }
    }

    Decoded reject(String topic, String dialect, String reason, byte[] payload, Instant receivedAt) {
        metrics.counter("connmon.messages.rejected", "dialect", dialect == null ? "none" : dialect).increment();
        if (loggedReasons.size() < MAX_LOGGED_REASONS && loggedReasons.add(dialect + ": " + reason)) {
            Log.warnf("Rejected a lifecycle message on '%s' (%s): %s; further rejections for this reason are only "
                    + "counted and kept at /api/v0002/rejected", topic, dialect == null ? "no dialect" : dialect, reason);
        }
        byte[] kept = payload.length <= MAX_STORED_PAYLOAD ? payload : Arrays.copyOf(payload, MAX_STORED_PAYLOAD);
        return new Decoded(topic, payload, receivedAt, dialect, List.of(), new Rejection(topic, dialect, reason, kept, payload.length));
    }
}
