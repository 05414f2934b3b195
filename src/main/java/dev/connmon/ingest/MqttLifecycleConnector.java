package dev.connmon.ingest;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.config.KafkaSwitch;
import dev.connmon.state.StateRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.reactive.messaging.connector.InboundConnector;
import io.smallrye.reactive.messaging.health.HealthReport;
import io.smallrye.reactive.messaging.health.HealthReporter;
import io.vertx.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * An inbound MQTT connector that acknowledges a QoS 1 message to the broker only when the application acks it,
 * and stops reading the socket while the application has no demand.
 * <p>
 * Why not {@code smallrye-mqtt}: in Quarkus 3.33 it PUBACKs on receipt, never pauses the socket, and fails the
 * channel when its buffer overflows, losing what it had already acknowledged.
 * Here the broker keeps every message that connmon has not committed: a crash or a full pipeline loses nothing.
 */
@ApplicationScoped
@Connector(MqttLifecycleConnector.NAME)
public class MqttLifecycleConnector implements InboundConnector, HealthReporter {
    public static final String NAME = "connmon-mqtt";

    private final Vertx vertx;
    private final StateRepository states;
    private final MeterRegistry metrics;
    private final ConnmonConfig config;
    private final List<MqttLifecycleSource> sources = new CopyOnWriteArrayList<>();

    MqttLifecycleConnector(Vertx vertx, StateRepository states, MeterRegistry metrics, ConnmonConfig config) {
        this.config = config;
        this.vertx = vertx;
        this.states = states;
        this.metrics = metrics;
    }

    /**
     * The default broker ({@code connmon.mqtt.*}), merged with every further source ({@code connmon.sources.<name>.*}):
     * one stream, each message tagged with the source it came through. The channel's own attributes say only which
     * connector it is: every broker setting is connmon's typed configuration.
     */
    @Override
    public Flow.Publisher<? extends Message<?>> getPublisher(Config channel) {
        List<MqttSourceSettings> settings = new ArrayList<>();
        if (KafkaSwitch.defaultBroker(config)) {
            settings.add(MqttSourceSettings.defaultBroker(config.mqtt()));
        }
        settings.addAll(MqttSourceSettings.sources(config.sources()));
        WatsonLoopGuard.check(settings, config.monitor().watson());
        if (settings.isEmpty()) {
            // Kafka alone: no MQTT connection at all
            return Multi.createFrom().nothing();
        }
        List<Multi<Message<byte[]>>> streams = new ArrayList<>();
        for (MqttSourceSettings source : settings) {
            MqttLifecycleSource connection = new MqttLifecycleSource(vertx, source, this::sessionLost, metrics);
            sources.add(connection);
            streams.add(connection.messages());
        }
        return streams.size() == 1 ? streams.get(0) : Multi.createBy().merging().streams(streams);
    }

    /** Without its broker session, a source may have missed events: its connected clients become unconfirmed. */
    private void sessionLost(String source, Instant since) {
        states.markUnconfirmed(source, since)
                .subscribe()
                .with(
                        marked -> {
                            if (marked > 0) {
                                Log.warnf(
                                        "Source '%s' reconnected without its broker session: %d clients shown connected "
                                                + "are unconfirmed since %s until their next event",
                                        source, marked, since);
                            }
                        },
                        failure -> Log.warnf(
                                "Source '%s': cannot mark clients unconfirmed: %s", source, failure.getMessage()));
    }

    @Override
    public HealthReport getReadiness() {
        HealthReport.HealthReportBuilder report = HealthReport.builder();
        for (MqttLifecycleSource source : sources) {
            report.add("lifecycle source " + source.name(), source.isConnected(), source.status());
        }
        return report.build();
    }

    @PreDestroy
    void close() {
        sources.forEach(MqttLifecycleSource::close);
    }
}
