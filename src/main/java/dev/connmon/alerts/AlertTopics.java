package dev.connmon.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connmon.lifecycle.TopicLevels;
import dev.connmon.live.MonitorPublisher;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The retained alert topics (docs/api.md §11): {@code connmon/alerts/{rule}/{clientId}} ({@code _fleet} for a
 * fleet-drop alert) holds the alert while it is open and is cleared when it resolves. On the embedded broker only
 * API-key connections may read them (§8). Published by the evaluating instance, in the order it opens and resolves.
 */
@ApplicationScoped
public class AlertTopics {
    private final MonitorPublisher publisher;
    private final ObjectMapper mapper;

    AlertTopics(MonitorPublisher publisher, ObjectMapper mapper) {
        this.publisher = publisher;
        this.mapper = mapper;
    }

    static String topic(Alert alert) {
        return "connmon/alerts/" + TopicLevels.escape(alert.rule()) + "/"
                + (alert.clientId() == null ? "_fleet" : TopicLevels.escape(alert.clientId()));
    }

    /** Publishes the alert's topic; a failure is logged, not raised: the alert itself is stored already. */
    Uni<Void> opened(Alert alert) {
        try {
            return publish(alert, mapper.writeValueAsBytes(alert));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an alert", e);
        }
    }

    /** Clears the alert's topic. */
    Uni<Void> resolved(Alert alert) {
        return publish(alert, new byte[0]);
    }

    private Uni<Void> publish(Alert alert, byte[] payload) {
        return publisher.publishRetained(topic(alert), payload).onFailure().recoverWithUni(failure -> {
            Log.warnf("Alert %s: cannot publish its topic %s: %s", alert.id(), topic(alert), failure.getMessage());
            return Uni.createFrom().voidItem();
        });
    }
}
