package dev.connmon.alerts;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One attempt at delivering a webhook (docs/api.md §11): {@code GET /api/v0002/alerts/{id}/deliveries}. */
@RegisterForReflection
public record Delivery(String deliveryId, String type, int attempt, String at, Integer status, String error) {}
