package dev.connmon.ingest;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.metrics.Gauges;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Starts the flow source → decode → batch → PostgreSQL → ack when the application is up: one pipeline for the MQTT
 * brokers, and one for Kafka when it is configured. Kafka's connector commits a record's offset once it and every
 * earlier record of its partition are acked, so an offset passes only what the database has committed.
 */
@ApplicationScoped
class IngestPipeline {
    private final Multi<Message<byte[]>> messages;
    private final Multi<Message<byte[]>> kafkaRecords;
    private final MessageDecoder decoder;
    private final BatchWriter writer;
    private final Vertx vertx;
    private final int batchSize;
    private final Duration linger;
    private final int writesInFlight;
    private final MeterRegistry registry;
    private final boolean kafka;
    private final String kafkaDialect;

    IngestPipeline(
            @Channel(Channels.LIFECYCLE) Multi<Message<byte[]>> messages,
            @Channel(Channels.KAFKA_LIFECYCLE) Multi<Message<byte[]>> kafkaRecords,
            MessageDecoder decoder,
            BatchWriter writer,
            Vertx vertx,
            MeterRegistry registry,
            ConnmonConfig config) {
        this.messages = messages;
        this.kafkaRecords = kafkaRecords;
        this.decoder = decoder;
        this.writer = writer;
        this.vertx = vertx;
        this.batchSize = config.ingest().batchSize();
        this.linger = config.ingest().linger();
        this.writesInFlight = config.ingest().writesInFlight();
        this.registry = registry;
        this.kafka = config.kafka().bootstrapServers().isPresent();
        this.kafkaDialect = config.kafka().dialect().orElse(null);
    }

    void start(@Observes StartupEvent event) {
        subscribe(
                messages,
                "mqtt",
                message -> decoder.decode(
                        message.getMetadata(LifecycleMessageMetadata.class).orElseThrow(), message.getPayload()));
        if (kafka) {
            // the channel exists only when Kafka is configured (KafkaSwitch): subscribing otherwise would fail
            subscribe(
                    kafkaRecords,
                    KafkaRecords.SOURCE,
                    record -> decoder.decodeTopicless(
                            KafkaRecords.metadata(record, kafkaDialect), KafkaRecords.payload(record)));
        }
    }

    private void subscribe(Multi<Message<byte[]>> stream, String source, Function<Message<byte[]>, Decoded> decode) {
        // what connmon holds unacknowledged: writes-in-flight + 1 batches at most, however slow the database
        AtomicInteger unacknowledged = new AtomicInteger();
        Gauges.register(
                registry,
                "connmon.ingest.unacknowledged",
                Tags.of("source", source),
                "Messages held until their batch commits",
                unacknowledged,
                AtomicInteger::get);
        stream.subscribe()
                .withSubscriber(new BatchingSubscriber(
                        decode, writer::write, vertx, batchSize, linger, writesInFlight, unacknowledged));
    }
}
