package dev.connmon.ingest;

import java.time.Instant;

/** Where and when an incoming lifecycle message arrived. */
public record LifecycleMessageMetadata(String topic, int qos, boolean duplicate, Instant receivedAt) {
}
