package dev.connmon.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the embedded broker runs. The system user is connmon's own connection: the only client that may read the
 * lifecycle topics, and the only one that may publish under {@code connmon/}. API keys (CONTRACT §8) sign in the
 * clients that may read the monitoring topics ({@code monitorFilters}); {@code monitorAccessForAnyone} lifts that.
 */
public record BrokerSettings(
        String host,
        int port,
        boolean anonymous,
        Map<String, String> users,
        String systemUsername,
        String systemPassword,
        String eventTopicPrefix,
        String node,
        Path dataDir,
        Map<String, ApiKeys.Key> apiKeys,
        boolean monitorAccessForAnyone,
        List<String> monitorFilters,
        Duration activityWindow) {

    /** The monitoring topic filters of the default configuration (CONTRACT §4, §7, §11). */
    public static final List<String> DEFAULT_MONITOR_FILTERS =
            MonitorTopics.filters("connmon/clients/{clientId}/state");

    /** No API keys, the default monitoring topics and activity window. */
    public BrokerSettings(
            String host,
            int port,
            boolean anonymous,
            Map<String, String> users,
            String systemUsername,
            String systemPassword,
            String eventTopicPrefix,
            String node,
            Path dataDir) {
        this(
                host,
                port,
                anonymous,
                users,
                systemUsername,
                systemPassword,
                eventTopicPrefix,
                node,
                dataDir,
                Map.of(),
                false,
                DEFAULT_MONITOR_FILTERS,
                Duration.ofSeconds(1));
    }

    /** The same broker, with these API keys. */
    public BrokerSettings withApiKeys(Map<String, ApiKeys.Key> keys) {
        return new BrokerSettings(
                host,
                port,
                anonymous,
                users,
                systemUsername,
                systemPassword,
                eventTopicPrefix,
                node,
                dataDir,
                keys,
                monitorAccessForAnyone,
                monitorFilters,
                activityWindow);
    }
}
