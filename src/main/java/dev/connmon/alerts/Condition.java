package dev.connmon.alerts;

import java.time.Duration;

/** What an alert rule watches for (docs/api.md §11), with its wire name and its default debounce. */
public enum Condition {
    OFFLINE("offline", Duration.ofMinutes(5)),
    SILENT("silent", Duration.ofMinutes(5)),
    FLAPPING("flapping", Duration.ZERO),
    FLEET_DROP("fleet-drop", Duration.ofMinutes(5)),
    /** A client named by an expectation (connmon.expectations) missed its check-in; the grace is its debounce. */
    OVERDUE("overdue", Duration.ZERO);

    private final String wireName;
    private final Duration defaultFor;

    Condition(String wireName, Duration defaultFor) {
        this.wireName = wireName;
        this.defaultFor = defaultFor;
    }

    public String wireName() {
        return wireName;
    }

    Duration defaultFor() {
        return defaultFor;
    }

    static Condition fromWireName(String name) {
        for (Condition condition : values()) {
            if (condition.wireName.equals(name)) {
                return condition;
            }
        }
        return null;
    }
}
