package dev.connmon.lifecycle.dialect;

import dev.connmon.lifecycle.LifecycleEvent;
import java.util.List;

/** Decodes the lifecycle messages of one broker or platform into canonical events. */
public interface Dialect {

    /** The dialect's name as used in configuration, metrics and rejections ({@code connmon}, {@code emqx}, …). */
    String name();

    /** Whether a message on this topic is in this dialect. */
    boolean matches(String topic);

    /**
     * Decodes one message. An empty list means the message is understood but carries no lifecycle information;
     * a message that is not understood throws {@link DecodeException} with a reason a person can act on.
     */
    List<LifecycleEvent> decode(String topic, byte[] payload) throws DecodeException;

    /**
     * Decodes one message from a named source. Dialects whose messages only make sense in sequence (Mosquitto's
     * log lines) keep their per-source state here; the others need no source.
     */
    default List<LifecycleEvent> decode(String source, String topic, byte[] payload) throws DecodeException {
        return decode(topic, payload);
    }

    /**
     * Where this dialect's topics start, for messages bridged under another prefix
     * ({@code bridge/emqx-1/$SYS/brokers/…}): the decoder is handed the topic from here.
     */
    default String topicAnchor() {
        return null;
    }
}
