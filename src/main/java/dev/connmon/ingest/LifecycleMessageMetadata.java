package dev.connmon.ingest;

import java.time.Instant;

/**
 * Where and when an incoming lifecycle message arrived: the source (broker connection) it came through, the dialect
 * that source fixes (null: detect from the topic), and the MQTT details.
 */
public record LifecycleMessageMetadata(String source, String dialect, String topic, int qos, boolean duplicate,
        Instant receivedAt) {
}
