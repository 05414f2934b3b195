package dev.connmon.alerts;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One attempt at delivering an alert on one of its rule's channels (docs/api.md §11):
 * {@code GET /api/v0002/alerts/{id}/deliveries}. The channel is named, never its address.
 */
@RegisterForReflection
public record Delivery(
        String deliveryId, String channel, String type, int attempt, String at, Integer status, String error) {}
