package dev.connmon.query;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One connection log entry as the API shows it (docs/api.md §2), with the broker connection ({@code source}) and the
 * {@code dialect} it came through.
 */
@RegisterForReflection
public record LogEntry(
        String timestamp,
        String message,
        String event,
        String initiator,
        Integer reasonCode,
        String reason,
        String ipAddress,
        String node,
        String source,
        String dialect) {}
