package dev.connmon.ingest;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.dialect.DecodeException;
import dev.connmon.lifecycle.dialect.Dialect;
import dev.connmon.lifecycle.dialect.DialectRegistry;
import dev.connmon.state.Rejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
    /**
     * connmon.events.ingested per dialect and event type, looked up once: the registry builds and sorts the tags of
     * every lookup, 2 % of connmon's CPU in an activity storm when it was asked per event.
     */
    private final Map<String, Map<EventType, Counter>> ingested = new ConcurrentHashMap<>();

    MessageDecoder(DialectRegistry dialects, MeterRegistry metrics, ConnmonConfig config) {
        this.dialects = dialects;
        this.metrics = metrics;
        this.maxPayloadBytes = config.ingest().maxPayloadBytes();
    }

    Decoded decode(LifecycleMessageMetadata message, byte[] payload) {
        Optional<Dialect> dialect =
                message.dialect() != null ? dialects.byName(message.dialect()) : dialects.forTopic(message.topic());
        return decode(message, dialect, "no dialect matches the topic", payload);
    }

    /**
     * A message whose topic says nothing of its dialect (a Kafka record): the source's fixed dialect, else the one its
     * payload's fields show.
     */
    Decoded decodeTopicless(LifecycleMessageMetadata message, byte[] payload) {
        Optional<Dialect> dialect =
                message.dialect() != null ? dialects.byName(message.dialect()) : dialects.forPayload(payload);
        return decode(message, dialect, "no dialect recognises the payload", payload);
    }

    private Decoded decode(
            LifecycleMessageMetadata message, Optional<Dialect> dialect, String noDialect, byte[] payload) {
        String topic = message.topic();
        if (dialect.isEmpty()) {
            return reject(
                    message,
                    null,
                    message.dialect() == null ? noDialect : "unknown dialect '" + message.dialect() + "'",
                    payload);
        }
        String name = dialect.get().name();
        if (payload.length > maxPayloadBytes) {
            // refused before parsing: size is checked first, whatever the dialect
            return reject(
                    message,
                    name,
                    "payload of " + payload.length + " bytes exceeds the limit of " + maxPayloadBytes,
                    payload);
        }
        try {
            List<LifecycleEvent> events = new ArrayList<>();
            for (LifecycleEvent event :
                    dialect.get().decode(message.source(), anchored(dialect.get(), topic), payload)) {
                if (event.clientId().equals(message.ownClientId()) && event.type() != EventType.CONNECT_FAILED) {
                    // connmon's own connection to this broker, as the broker reports it; a refused connect with its
                    // id is someone else's attempt at it (or connmon's own with wrong credentials): worth a row
                    continue;
                }
                events.add(event.fromSource(message.source()));
                ingested(name, event.type()).increment();
            }
            return new Decoded(message.source(), topic, payload, message.receivedAt(), name, events, null);
        } catch (DecodeException e) {
            return reject(message, name, e.getMessage(), payload);
        } catch (RuntimeException e) {
            // a decoder bug must cost one message, not the pipeline
            return reject(message, name, "decoder failed: " + e, payload);
        }
    }

    private Counter ingested(String dialect, EventType type) {
        return ingested.computeIfAbsent(dialect, d -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        type,
                        t -> metrics.counter("connmon.events.ingested", "dialect", dialect, "event", t.wireName()));
    }

    /** A bridged topic ({@code bridge/emqx-1/$SYS/brokers/…}) from where the dialect's own topics start. */
    private static String anchored(Dialect dialect, String topic) {
        String anchor = dialect.topicAnchor();
        int at = anchor == null ? -1 : topic.indexOf(anchor);
        return at > 0 ? topic.substring(at) : topic;
    }

    Decoded reject(LifecycleMessageMetadata message, String dialect, String rawReason, byte[] payload) {
        // a reason may quote the sender's text; PostgreSQL text cannot hold U+0000, and a rejection the database
        // refuses would be split out of its batch, counted twice and kept with the database's error instead
        String reason = rawReason.replace('\u0000', '\uFFFD');
        metrics.counter(
                        "connmon.messages.rejected",
                        "dialect",
                        dialect == null ? "none" : dialect,
                        "reason",
                        category(reason))
                .increment();
        if (loggedReasons.size() < MAX_LOGGED_REASONS && loggedReasons.add(dialect + ": " + reason)) {
            Log.warnf(
                    "Rejected a lifecycle message from %s on '%s' (%s): %s; further rejections for this reason are "
                            + "only counted and kept at /api/v0002/rejected",
                    message.source(), message.topic(), dialect == null ? "no dialect" : dialect, reason);
        }
        byte[] kept = payload.length <= MAX_STORED_PAYLOAD ? payload : Arrays.copyOf(payload, MAX_STORED_PAYLOAD);
        // MQTT forbids U+0000 in topics, but a broker need not enforce it
        String topic = message.topic().replace('\u0000', '\uFFFD');
        return new Decoded(
                message.source(),
                message.topic(),
                payload,
                message.receivedAt(),
                dialect,
                List.of(),
                new Rejection(message.source(), topic, dialect, reason, kept, payload.length));
    }

    /** A low-cardinality form of a reason for metric tags: quoted values, numbers and details dropped. */
    static String category(String reason) {
        String category = reason.replaceAll("'[^']*'", "''").replaceAll("\\d+", "#");
        int colon = category.indexOf(':');
        category = colon > 0 ? category.substring(0, colon) : category;
        return category.length() <= 60 ? category : category.substring(0, 60);
    }
}
