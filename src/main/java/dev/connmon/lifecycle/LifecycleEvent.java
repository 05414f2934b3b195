package dev.connmon.lifecycle;

import java.time.Instant;

/**
 * One lifecycle event in connmon's canonical model (docs/api.md §1), whatever dialect it was decoded from.
 * {@code time} is truncated to milliseconds, the precision connmon stores and reports.
 */
public record LifecycleEvent(
        EventType type,
        String clientId,
        Instant time,
        Initiator initiator,
        Integer reasonCode,
        String reason,
        String connectionId,
        String ipAddress,
        Integer port,
        String username,
        String protocolVersion,
        Integer keepAlive,
        Boolean cleanStart,
        String node,
        String topic,
        String dialect,
        String source) {

    public LifecycleEvent {
        if (type == null || clientId == null || time == null) {
            throw new IllegalArgumentException("type, clientId and time are required");
        }
        time = Instants.truncate(time);
    }

    /** This event as received from a named source (broker connection); its node defaults to the source's name. */
    public LifecycleEvent fromSource(String sourceName) {
        return new LifecycleEvent(
                type,
                clientId,
                time,
                initiator,
                reasonCode,
                reason,
                connectionId,
                ipAddress,
                port,
                username,
                protocolVersion,
                keepAlive,
                cleanStart,
                node == null ? sourceName : node,
                topic,
                dialect,
                sourceName);
    }

    public static Builder builder(EventType type, String clientId, Instant time) {
        return new Builder(type, clientId, time);
    }

    /** Builds events field by field; dialect decoders fill in what their source provides. */
    public static final class Builder {
        private final EventType type;
        private final String clientId;
        private final Instant time;
        private Initiator initiator;
        private Integer reasonCode;
        private String reason;
        private String connectionId;
        private String ipAddress;
        private Integer port;
        private String username;
        private String protocolVersion;
        private Integer keepAlive;
        private Boolean cleanStart;
        private String node;
        private String topic;
        private String dialect;

        private Builder(EventType type, String clientId, Instant time) {
            this.type = type;
            this.clientId = clientId;
            this.time = time;
        }

        public Builder initiator(Initiator v) {
            initiator = v;
            return this;
        }

        public Builder reasonCode(Integer v) {
            reasonCode = v;
            return this;
        }

        public Builder reason(String v) {
            reason = v;
            return this;
        }

        public Builder connectionId(String v) {
            connectionId = v;
            return this;
        }

        public Builder ipAddress(String v) {
            ipAddress = v;
            return this;
        }

        public Builder port(Integer v) {
            port = v;
            return this;
        }

        public Builder username(String v) {
            username = v;
            return this;
        }

        public Builder protocolVersion(String v) {
            protocolVersion = v;
            return this;
        }

        public Builder keepAlive(Integer v) {
            keepAlive = v;
            return this;
        }

        public Builder cleanStart(Boolean v) {
            cleanStart = v;
            return this;
        }

        public Builder node(String v) {
            node = v;
            return this;
        }

        public Builder topic(String v) {
            topic = v;
            return this;
        }

        public Builder dialect(String v) {
            dialect = v;
            return this;
        }

        public LifecycleEvent build() {
            return new LifecycleEvent(
                    type,
                    clientId,
                    time,
                    initiator,
                    reasonCode,
                    reason,
                    connectionId,
                    ipAddress,
                    port,
                    username,
                    protocolVersion,
                    keepAlive,
                    cleanStart,
                    node,
                    topic,
                    dialect,
                    null);
        }
    }
}
