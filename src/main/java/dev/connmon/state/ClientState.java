package dev.connmon.state;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A client's connection state as the API shows it (docs/api.md §2); absent values are null, never omitted.
 * {@code inMaintenance}, {@code asleep} and {@code overdue} are judged when the state is read ({@link ClientCalendar}).
 */
@RegisterForReflection
public record ClientState(
        String id,
        String clientType,
        String connectionStatus,
        String lastConnectTime,
        String lastDisconnectTime,
        String lastActivityEvent,
        String lastActivityTime,
        String mqttConnectProtocol,
        String lastDisconnectInitiator,
        Integer lastDisconnectReasonCode,
        String lastDisconnectReason,
        String ipAddress,
        String username,
        String node,
        String unconfirmedSince,
        boolean flapping,
        String flappingSince,
        boolean inMaintenance,
        boolean asleep,
        boolean overdue) {}
