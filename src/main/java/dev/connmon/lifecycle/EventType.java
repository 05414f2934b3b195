package dev.connmon.lifecycle;

import java.util.Optional;

/** The kinds of lifecycle event connmon understands, with their wire names (docs/api.md §1). */
public enum EventType {
    CONNECTED("connected", "mqttConnect"),
    DISCONNECTED("disconnected", "mqttDisconnect"),
    CONNECT_FAILED("connect_failed", null),
    PUBLISHED("published", "mqttPublish"),
    SUBSCRIBED("subscribed", "mqttSubscribe"),
    UNSUBSCRIBED("unsubscribed", "mqttUnsubscribe"),
    /** A broker node stopping, as some sources report it (no client id); not part of the canonical dialect. */
    BROKER_STOPPED("broker_stopped", null);

    private final String wireName;
    private final String activityName;

    EventType(String wireName, String activityName) {
        this.wireName = wireName;
        this.activityName = activityName;
    }

    public String wireName() {
        return wireName;
    }

    /** The Watson {@code lastActivityEvent} name, or null for events that are not client activity. */
    public String activityName() {
        return activityName;
    }

    public boolean isActivity() {
        return activityName != null;
    }

    /** Connects, failed attempts and disconnects are kept in the connection log; activity is not. */
    public boolean isLogged() {
        return this == CONNECTED || this == DISCONNECTED || this == CONNECT_FAILED;
    }

    /**
     * Breaks ties between activity events with the same millisecond, so that any arrival order gives the same
     * {@code lastActivityEvent}: a disconnect ends whatever happened in its millisecond, a connect starts it.
     */
    public int activityRank() {
        return switch (this) {
            case CONNECTED -> 1;
            case SUBSCRIBED -> 2;
            case UNSUBSCRIBED -> 3;
            case PUBLISHED -> 4;
            case DISCONNECTED -> 5;
            case CONNECT_FAILED, BROKER_STOPPED -> 0;
        };
    }

    /** The events of the canonical dialect (docs/api.md §1). */
    public boolean isCanonical() {
        return this != BROKER_STOPPED;
    }

    public static Optional<EventType> fromWireName(String name) {
        for (EventType type : values()) {
            if (type.wireName.equals(name) && type.isCanonical()) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
