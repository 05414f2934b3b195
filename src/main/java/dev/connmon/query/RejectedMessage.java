package dev.connmon.query;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A kept rejection as the API shows it. {@code payload} is the stored bytes read as UTF-8 (invalid sequences
 * replaced), {@code payloadBase64} the exact bytes; both hold at most the first 64 KiB.
 */
@RegisterForReflection
public record RejectedMessage(
        long id,
        String receivedAt,
        String source,
        String topic,
        String dialect,
        String reason,
        int payloadSize,
        String payload,
        String payloadBase64) {}
