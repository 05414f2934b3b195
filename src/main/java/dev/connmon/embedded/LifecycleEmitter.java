package dev.connmon.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.Publish;
import dev.connmon.ingest.InProcessLifecycle;
import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.Instants;
import dev.connmon.lifecycle.TopicLevels;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Publishes the embedded broker's lifecycle events as canonical JSON (docs/api.md §1) on
 * {@code connmon/events/{clientId}}, QoS 1, where connmon's own connection reads them like any other source's;
 * connmon in the same JVM takes them in-process instead, and only what it does not take or commit in time goes
 * through the broker's queue ({@link InProcessLifecycle}).
 * Activity is coalesced to at most one event per client per {@code connmon.activity.window}, keeping the window's
 * last act ({@link ActivityWindows}), so a chatty device costs one row update a window, not one per message.
 */
final class LifecycleEmitter {
    private static final Logger LOG = Logger.getLogger(LifecycleEmitter.class);

    /** Events kept while connmon's own connection has not subscribed yet, at most this many. */
    private static final int MAX_HELD = 100_000;

    private final ObjectMapper mapper = new ObjectMapper();
    private final String topicPrefix;
    private final String node;
    private final int brokerPort;
    private final ActivityWindows activity;
    private final List<Publish> held = new ArrayList<>();
    private boolean subscribed;
    private long droppedWhileHeld;
    private volatile boolean sealed;

    LifecycleEmitter(String topicPrefix, String node, int brokerPort, Duration activityWindow) {
        this.topicPrefix = topicPrefix;
        this.node = node;
        this.brokerPort = brokerPort;
        this.activity = new ActivityWindows(activityWindow, this::publish);
    }

    /** A new event for {@code clientId}; the caller adds its fields and calls {@link #publish}. */
    ObjectNode event(EventType type, String clientId) {
        ObjectNode event = mapper.createObjectNode();
        event.put("event", type.wireName());
        event.put("clientId", clientId);
        event.put("time", Instants.format(Instant.now()));
        event.put("node", node);
        return event;
    }

    void disconnected(String clientId, String connectionId, Initiator initiator, Integer reasonCode, String reason) {
        activity.flush(clientId);
        ObjectNode event = event(EventType.DISCONNECTED, clientId);
        event.put("initiator", initiator.wireName());
        event.put("connectionId", connectionId);
        if (reasonCode != null) {
            event.put("reasonCode", reasonCode);
        }
        if (reason != null) {
            event.put("reason", reason);
        }
        publish(event);
    }

    /** Client activity, stamped now and sent when its client's activity window ends. */
    void activity(EventType type, String clientId, String topic) {
        ObjectNode event = event(type, clientId);
        if (topic != null) {
            event.put("topic", topic);
        }
        activity.offer(clientId, event);
    }

    /** Sends the activity still held in open windows: the broker is stopping. */
    void flushActivity() {
        activity.stop();
    }

    void publish(ObjectNode event) {
        if (sealed) {
            return;
        }
        String clientId = event.get("clientId").asText();
        byte[] payload;
        try {
            payload = mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            LOG.errorf("Cannot encode a lifecycle event of '%s': %s", clientId, e.getMessage());
            return;
        }
        Publish publish = Builders.publish()
                .topic(topicPrefix + TopicLevels.escape(clientId))
                .qos(Qos.AT_LEAST_ONCE)
                .payload(ByteBuffer.wrap(payload))
                .build();
        synchronized (this) {
            if (!subscribed) {
                if (held.size() < MAX_HELD) {
                    held.add(publish);
                } else {
                    droppedWhileHeld++;
                }
                return;
            }
        }
        // in-process first; the broker's queue for connmon's session only when connmon does not take the event
        // or does not commit it in time
        InProcessLifecycle.offer(brokerPort, publish.getTopic(), payload)
                .orTimeout(InProcessLifecycle.COMMIT_WAIT_MS, TimeUnit.MILLISECONDS)
                .whenComplete((committed, notTaken) -> {
                    if (notTaken != null) {
                        send(publish);
                    }
                });
    }

    /**
     * connmon has stopped: nothing more is published (see EmbeddedBroker#close). The acts still held for their
     * window's end are the clients' latest (docs/api.md §9): they go out first, or sealing would drop them.
     */
    void seal() {
        activity.stop();
        sealed = true;
    }

    /**
     * connmon's own connection has subscribed: from now on its persistent session keeps every event, so send
     * what was held since the broker started (devices often reconnect the moment a broker comes up).
     */
    synchronized void subscriberReady() {
        if (subscribed) {
            return;
        }
        subscribed = true;
        held.forEach(LifecycleEmitter::send);
        held.clear();
        if (droppedWhileHeld > 0) {
            LOG.warnf("Dropped %d lifecycle events that came before connmon subscribed", droppedWhileHeld);
        }
    }

    private static void send(Publish publish) {
        Services.publishService().publish(publish).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warnf(
                        "The embedded broker could not publish a lifecycle event on '%s': %s",
                        publish.getTopic(), failure.getMessage());
            }
        });
    }
}
