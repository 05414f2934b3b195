package dev.connmon.live;

import dev.connmon.cluster.AdvisoryLocks;
import dev.connmon.config.ConnmonConfig;
import dev.connmon.config.KafkaSwitch;
import dev.connmon.ingest.MqttSourceSettings;
import dev.connmon.lifecycle.TopicLevels;
import dev.connmon.state.ChangeReader.Change;
import dev.connmon.state.OwnSessions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Publishes every state change, retained, QoS 1, on the monitoring topic (docs/api.md §4); a deletion clears the
 * client's retained message. One instance publishes at a time, from the stored cursor ({@link CursorPublisher}).
 * <p>
 * Up to {@link #WINDOW} changes are in flight at once ({@link MonitorConnection}): each change's messages are
 * written in feed order as it arrives, and the cursor moves past a change only once it and every change before it
 * have their PUBACKs.
 */
@ApplicationScoped
public class MonitorPublisher {
    /**
     * Changes published and awaiting their PUBACKs at most; a change has up to three messages (§4, §7). With 256,
     * the round trips to the broker held the publisher back in a storm (44 resumes in a 200 000-event run with the
     * connector's sink, 9 with this connection).
     */
    static final int WINDOW = 1024;

    /** This publisher's row of monitor_cursor. */
    private static final int CURSOR = 1;

    private final MonitorConnection connection;
    private final String topicTemplate;
    private final CursorPublisher publisher;
    /** Off when Kafka is connmon's only source: no default broker to publish on (docs/kafka.md). */
    private final boolean enabled;

    private final WatsonStatus watson;

    MonitorPublisher(
            ChangeFeed feed,
            WatsonStatus watson,
            Pool pool,
            OwnSessions sessions,
            Vertx vertx,
            MeterRegistry registry,
            ConnmonConfig config) {
        Counter resumes = Counter.builder("connmon.monitor.resumes")
                .description("Times the monitoring publisher stopped (fell behind the change feed, a publish failed)"
                        + " and resumed from its cursor, republishing what was sent since")
                .register(registry);
        this.watson = watson;
        this.enabled = KafkaSwitch.defaultBroker(config);
        this.connection = new MonitorConnection(vertx, MqttSourceSettings.defaultBroker(config.mqtt()), 4 * WINDOW);
        this.topicTemplate = config.monitor().topic();
        this.publisher = new CursorPublisher(
                "the MQTT monitoring topic",
                AdvisoryLocks.MONITOR_LEADER,
                CURSOR,
                feed,
                pool,
                sessions,
                vertx,
                connection.context(),
                WINDOW,
                this::send,
                resumes);
    }

    void start(@Observes StartupEvent event) {
        if (enabled) {
            connection.start();
            publisher.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        publisher.stop();
        connection.stop();
    }

    /** Readiness (docs/api.md §5: every broker connection up): the monitoring connection's part. */
    @Readiness
    @ApplicationScoped
    static class Ready implements HealthCheck {
        @Inject
        MonitorPublisher publisher;

        @Override
        public HealthCheckResponse call() {
            // through methods: the injected bean is a client proxy, whose fields are not the bean's
            return HealthCheckResponse.named("monitoring topic")
                    .status(!publisher.enabled() || publisher.connected())
                    .withData("broker", publisher.enabled() ? publisher.broker() : "off: no MQTT broker")
                    .build();
        }
    }

    boolean enabled() {
        return enabled;
    }

    boolean connected() {
        return connection.isConnected();
    }

    String broker() {
        return connection.address();
    }

    /** The change's monitoring message, then its Watson status messages (docs/api.md §7), written together, in order. */
    private List<CompletableFuture<Void>> send(Change change) {
        String topic = topicTemplate.replace("{clientId}", TopicLevels.escape(change.clientId()));
        byte[] payload = change.json() == null ? new byte[0] : change.json().getBytes(StandardCharsets.UTF_8);
        List<MonitorConnection.Outgoing> messages = new ArrayList<>();
        messages.add(new MonitorConnection.Outgoing(topic, payload));
        for (WatsonStatus.Status status : watson.of(change)) {
            messages.add(new MonitorConnection.Outgoing(status.topic(), status.payload()));
        }
        return connection.publishAll(messages);
    }

    /**
     * One retained message on the monitoring broker, outside the change feed: the alert topics (docs/api.md §11),
     * published by the instance that leads the alerts. An empty payload clears the topic. Nothing without a broker.
     */
    public Uni<Void> publishRetained(String topic, byte[] payload) {
        if (!enabled) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().completionStage(() -> connection.publish(topic, payload));
    }
}
