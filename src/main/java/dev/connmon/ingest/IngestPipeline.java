package dev.connmon.ingest;

import dev.connmon.config.ConnmonConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Starts the flow broker → decode → batch → PostgreSQL → ack when the application is up. */
@ApplicationScoped
class IngestPipeline {
    private final Multi<Message<byte[]>> messages;
    private final MessageDecoder decoder;
    private final BatchWriter writer;
    private final Vertx vertx;
    private final int batchSize;
    private final Duration linger;
    private final int writesInFlight;
    private final MeterRegistry registry;

    IngestPipeline(
            @Channel(Channels.LIFECYCLE) Multi<Message<byte[]>> messages,
            MessageDecoder decoder,
            BatchWriter writer,
            Vertx vertx,
            MeterRegistry registry,
            ConnmonConfig config) {
        this.messages = messages;
        this.decoder = decoder;
        this.writer = writer;
        this.vertx = vertx;
        this.batchSize = config.ingest().batchSize();
        this.linger = config.ingest().linger();
        this.writesInFlight = config.ingest().writesInFlight();
        this.registry = registry;
    }

    void start(@Observes StartupEvent event) {
        // what connmon holds unacknowledged: writes-in-flight + 1 batches at most, however slow the database
        AtomicInteger unacknowledged = new AtomicInteger();
        dev.connmon.metrics.Gauges.register(
                registry,
                "connmon.ingest.unacknowledged",
                io.micrometer.core.instrument.Tags.empty(),
                "Messages held until their batch commits",
                unacknowledged,
                AtomicInteger::get);
        messages.subscribe()
                .withSubscriber(new BatchingSubscriber(
                        message -> decoder.decode(
                                message.getMetadata(LifecycleMessageMetadata.class)
                                        .orElseThrow(),
                                message.getPayload()),
                        writer::write,
                        vertx,
                        batchSize,
                        linger,
                        writesInFlight,
                        unacknowledged));
    }
}
