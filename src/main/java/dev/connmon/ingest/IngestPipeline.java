package dev.connmon.ingest;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
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

    IngestPipeline(@Channel(Channels.LIFECYCLE) Multi<Message<byte[]>> messages, MessageDecoder decoder,
            BatchWriter writer, Vertx vertx,
            @ConfigProperty(name = "connmon.ingest.batch-size", defaultValue = "500") int batchSize,
            @ConfigProperty(name = "connmon.ingest.linger", defaultValue = "PT0.005S") Duration linger) {
        this.messages = messages;
        this.decoder = decoder;
        this.writer = writer;
        this.vertx = vertx;
        this.batchSize = batchSize;
        this.linger = linger;
    }

    void start(@Observes StartupEvent event) {
        messages.subscribe().withSubscriber(new BatchingSubscriber(decoder, writer, vertx, batchSize, linger));
    }
}
