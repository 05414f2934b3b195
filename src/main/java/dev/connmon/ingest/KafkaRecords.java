package dev.connmon.ingest;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.time.Instant;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * What connmon reads of a Kafka record besides its value. The key is not read: the client id is the payload's, and
 * the key (the client id, by convention) only decides the partition, and so which instance of a group reads it.
 */
final class KafkaRecords {
    /** The source name events from Kafka are stored with (docs/api.md §2 {@code source}). */
    static final String SOURCE = "kafka";

    private static final byte[] EMPTY = new byte[0];

    private KafkaRecords() {}

    /**
     * The record as a lifecycle message: its "topic" is {@code <topic>/<partition>/<offset>}, so that a rejection
     * names the record (a Kafka topic name holds no '/').
     */
    static LifecycleMessageMetadata metadata(Message<byte[]> message, String dialect) {
        IncomingKafkaRecordMetadata<?, ?> record =
                message.getMetadata(IncomingKafkaRecordMetadata.class).orElseThrow();
        return new LifecycleMessageMetadata(
                SOURCE,
                dialect,
                null,
                record.getTopic() + "/" + record.getPartition() + "/" + record.getOffset(),
                1,
                false,
                Instant.now());
    }

    /** A tombstone (null value) is an empty payload: rejected like any other unreadable record. */
    static byte[] payload(Message<byte[]> message) {
        byte[] payload = message.getPayload();
        return payload == null ? EMPTY : payload;
    }
}
