package dev.connmon.state;

import java.time.Instant;

/** Which clients a list or a live stream is about; every field is optional and they combine with AND. */
public record StateFilter(
        String connectionStatus,
        Instant connectedAfter,
        Instant connectedBefore,
        Instant disconnectedAfter,
        Instant disconnectedBefore,
        Instant activeAfter,
        Instant activeBefore,
        String disconnectInitiator,
        Integer disconnectReasonCode,
        String clientIdPrefix,
        String clientType,
        String deviceType,
        String deviceId) {

    public static final StateFilter ALL = new StateFilter(null, null, null, null, null, null, null, null, null, null,
            null, null, null);
}
