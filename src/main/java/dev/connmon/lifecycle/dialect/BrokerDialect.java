package dev.connmon.lifecycle.dialect;

/**
 * A dialect of a broker's own lifecycle messages: its name and the topic prefix its messages start with (also
 * where a bridged topic is read from). By default a message is in the dialect when its topic starts there.
 * Subclasses are {@code @Singleton} beans: no client proxy, so no no-args constructor is needed.
 */
abstract class BrokerDialect implements Dialect {
    private final String name;
    private final String anchor;

    BrokerDialect(String name, String anchor) {
        this.name = name;
        this.anchor = anchor;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String topicAnchor() {
        return anchor;
    }

    @Override
    public boolean matches(String topic) {
        return topic.startsWith(anchor);
    }
}
