package dev.connmon.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** An alert as the API, SSE, MQTT and webhooks show it (docs/api.md §11); absent values are null. */
@RegisterForReflection
public record Alert(
        String id,
        String rule,
        String condition,
        String clientId,
        String state,
        String since,
        String openedAt,
        String resolvedAt,
        JsonNode clientState) {}
