package dev.connmon.alerts;

/** Where a rule's alerts can go (docs/api.md §11), by the name the deliveries API shows. */
public enum Channel {
    WEBHOOK("webhook"),
    ALERTMANAGER("alertmanager"),
    PAGERDUTY("pagerduty"),
    SLACK("slack"),
    TEAMS("teams");

    private final String wireName;

    Channel(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    static Channel fromWireName(String name) {
        for (Channel channel : values()) {
            if (channel.wireName.equals(name)) {
                return channel;
            }
        }
        return null;
    }
}
