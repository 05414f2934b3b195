package dev.connmon.schedule;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A maintenance window as the API shows it (docs/api.md §10.6): which clients ({@code filter}, the list API's
 * syntax), from when until when, why, and whether it is in force now. {@code id} is a string, as an alert's.
 */
@RegisterForReflection
public record MaintenanceWindow(
        String id, String filter, String from, String until, String reason, String createdAt, boolean active) {}
