package dev.connmon.ingest;

import dev.connmon.lifecycle.dialect.WatsonDialect;
import java.util.List;

/**
 * connmon publishes Watson status messages (docs/api.md §7) on its default broker; a source reading Watson's status
 * topics there would take connmon's own output for new events and store each one back, forever. Such a configuration
 * is refused at startup, with the one line saying what to change.
 */
final class WatsonLoopGuard {
    private WatsonLoopGuard() {}

    /** {@code sources}: the default source first (its broker is the one the monitoring topics go to). */
    static void check(List<MqttSourceSettings> sources, boolean watsonPublished) {
        if (!watsonPublished || sources.isEmpty()) {
            return;
        }
        MqttSourceSettings monitorBroker = sources.get(0);
        for (MqttSourceSettings source : sources) {
            boolean sameBroker =
                    source.host().equalsIgnoreCase(monitorBroker.host()) && source.port() == monitorBroker.port();
            boolean watsonDialect = source.dialect() == null || WatsonDialect.NAME.equals(source.dialect());
            if (!sameBroker || !watsonDialect) {
                continue;
            }
            for (String topic : source.topics()) {
                for (String status : WatsonDialect.STATUS_FILTERS) {
                    if (TopicFilters.overlap(topic, status)) {
                        throw new IllegalArgumentException("source '" + source.name() + "' reads '" + topic
                                + "' on " + source.address() + ", where connmon publishes its Watson status topics ("
                                + status + "): it would read its own output back; read Watson topics from another"
                                + " broker, or set connmon.monitor.watson=false");
                    }
                }
            }
        }
    }
}
