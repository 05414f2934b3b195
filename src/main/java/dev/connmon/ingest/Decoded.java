package dev.connmon.ingest;

import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.Rejection;
import java.time.Instant;
import java.util.List;

/**
 * One MQTT message and what it decoded to: its events, or the rejection that keeps it for inspection. The raw
 * topic and payload stay with it until it is stored, in case the database refuses the events.
 */
record Decoded(
        String source,
        String topic,
        byte[] payload,
        Instant receivedAt,
        String dialect,
        List<LifecycleEvent> events,
        Rejection rejection) {}
