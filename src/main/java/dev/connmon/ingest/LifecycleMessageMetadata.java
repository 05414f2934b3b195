package dev.connmon.ingest;

import java.time.Instant;

/**
 * Where and when an incoming lifecycle message arrived: the source (broker connection) it came through, the dialect
 * that source fixes (null: detect from the topic), connmon's own client id on that broker (whose own lifecycle is
 * not a device's), and the MQTT details.
 */
public record LifecycleMessageMetadata(
        String source,
        String dialect,
        String ownClientId,
        String topic,
        int qos,
        boolean duplicate,
        Instant receivedAt) {}
