package dev.connmon.state;

import dev.connmon.lifecycle.LifecycleEvent;
import java.util.List;

/** What one batch of MQTT messages decoded to: the events to apply and the messages to keep as rejected. */
public record IngestBatch(List<LifecycleEvent> events, List<Rejection> rejections) {

    public boolean isEmpty() {
        return events.isEmpty() && rejections.isEmpty();
    }
}
