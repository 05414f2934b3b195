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
        String deviceId,
        Boolean flapping) {

    public static final StateFilter ALL =
            new StateFilter(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    /** Without the flapping filter (CONTRACT §10.3), as before it existed. */
    public StateFilter(
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
        this(
                connectionStatus,
                connectedAfter,
                connectedBefore,
                disconnectedAfter,
                disconnectedBefore,
                activeAfter,
                activeBefore,
                disconnectInitiator,
                disconnectReasonCode,
                clientIdPrefix,
                clientType,
                deviceType,
                deviceId,
                null);
    }

    /**
     * Clients that both filters accept. Times narrow (the later "after", the earlier "before"); an equality both
     * set must agree, else this is an error: such a pair could never match anything.
     */
    public StateFilter and(StateFilter o) {
        return new StateFilter(
                same("connectionStatus", connectionStatus, o.connectionStatus),
                later(connectedAfter, o.connectedAfter),
                earlier(connectedBefore, o.connectedBefore),
                later(disconnectedAfter, o.disconnectedAfter),
                earlier(disconnectedBefore, o.disconnectedBefore),
                later(activeAfter, o.activeAfter),
                earlier(activeBefore, o.activeBefore),
                same("disconnectInitiator", disconnectInitiator, o.disconnectInitiator),
                same("disconnectReasonCode", disconnectReasonCode, o.disconnectReasonCode),
                longerPrefix(clientIdPrefix, o.clientIdPrefix),
                same("clientType", clientType, o.clientType),
                same("deviceType", deviceType, o.deviceType),
                same("deviceId", deviceId, o.deviceId),
                same("flapping", flapping, o.flapping));
    }

    private static <T> T same(String name, T a, T b) {
        if (a != null && b != null && !a.equals(b)) {
            throw new IllegalArgumentException(name + " cannot be both " + a + " and " + b);
        }
        return a != null ? a : b;
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static String longerPrefix(String a, String b) {
        if (a == null || b == null) {
            return a != null ? a : b;
        }
        if (!a.startsWith(b) && !b.startsWith(a)) {
            throw new IllegalArgumentException("clientIdPrefix cannot be both " + a + " and " + b);
        }
        return a.length() >= b.length() ? a : b;
    }

    /** Whether a client id alone can match (what a deletion, which has no state, is judged by). */
    public boolean matchesId(String clientId) {
        return clientIdPrefix == null || clientId.startsWith(clientIdPrefix);
    }

    /** The same test as the list query, on one state (live streams filter in memory). */
    public boolean matches(ClientState s) {
        return matchesId(s.id())
                && (connectionStatus == null || connectionStatus.equals(s.connectionStatus()))
                && within(s.lastConnectTime(), connectedAfter, connectedBefore)
                && within(s.lastDisconnectTime(), disconnectedAfter, disconnectedBefore)
                && within(s.lastActivityTime(), activeAfter, activeBefore)
                && (disconnectInitiator == null || disconnectInitiator.equals(s.lastDisconnectInitiator()))
                && (disconnectReasonCode == null || disconnectReasonCode.equals(s.lastDisconnectReasonCode()))
                && (clientType == null || clientType.equals(s.clientType()))
                && (deviceType == null || deviceType.equals(watsonPart(s.id(), 2)))
                && (deviceId == null || deviceId.equals(watsonPart(s.id(), 3)))
                && (flapping == null || flapping == s.flapping());
    }

    private static boolean within(String time, Instant after, Instant before) {
        if (after == null && before == null) {
            return true;
        }
        if (time == null) {
            return false;
        }
        Instant value = Instant.parse(time);
        return (after == null || value.isAfter(after)) && (before == null || value.isBefore(before));
    }

    /** Part {@code index} of a Watson device or gateway id ({d,g}:{org}:{type}:{id}), as the SQL columns compute it. */
    private static String watsonPart(String id, int index) {
        if (!id.startsWith("d:") && !id.startsWith("g:")) {
            return null;
        }
        String[] parts = id.split(":", 4);
        return parts.length == 4 ? parts[index] : null;
    }
}
