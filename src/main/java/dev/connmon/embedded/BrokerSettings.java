package dev.connmon.embedded;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.ingest.MqttSourceSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How the embedded broker runs. The system user is connmon's own connection: the only client that may read the
 * lifecycle topics, the only one that may publish under {@code connmon/}, and the only one that may use connmon's
 * own client ids ({@code reservedClientIds}). API keys (docs/api.md §8) sign in the clients that may read the
 * monitoring topics ({@code monitorFilters}); {@code monitorAccessForAnyone} lifts that. A device user listed in
 * {@code userClientIds} may connect only with those client ids. {@code maxPacketSize}: the largest MQTT packet a
 * client may send, in bytes.
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
        Duration activityWindow,
        Set<String> reservedClientIds,
        Map<String, ClientIdGlobs> userClientIds,
        int maxPacketSize) {

    /** {@code connmon.embedded.max-packet-size}'s default. */
    public static final int DEFAULT_MAX_PACKET_SIZE = Integer.parseInt(ConnmonConfig.Embedded.DEFAULT_MAX_PACKET_SIZE);

    /** MQTT's own limit: a packet's remaining length is at most 268 435 455 bytes, after a 5-byte fixed header. */
    public static final int MQTT_MAX_PACKET_SIZE = 268_435_460;

    /** The monitoring topic filters of the default configuration (docs/api.md §4, §7, §11). */
    public static final List<String> DEFAULT_MONITOR_FILTERS =
            MonitorTopics.filters("connmon/clients/{clientId}/state");

    /**
     * No API keys, the default monitoring topics and activity window, the default broker's client ids of connmon
     * reserved, no user bound to client ids, the default packet size limit.
     */
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
                Duration.ofSeconds(1),
                MqttSourceSettings.ownClientIds(key -> Optional.empty(), List.of()),
                Map.of(),
                DEFAULT_MAX_PACKET_SIZE);
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
                activityWindow,
                reservedClientIds,
                userClientIds,
                maxPacketSize);
    }

    /** The same broker, with these users bound to client ids ({@code user → comma-separated ids or globs}). */
    public BrokerSettings withUserClientIds(Map<String, String> globs) {
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
                apiKeys,
                monitorAccessForAnyone,
                monitorFilters,
                activityWindow,
                reservedClientIds,
                userClientIds(users, globs),
                maxPacketSize);
    }

    /**
     * {@code connmon.embedded.client-ids.<user>} parsed; a binding for a name that is no device user is a mistake
     * that would leave the user it was meant for unbound, so it stops startup.
     */
    static Map<String, ClientIdGlobs> userClientIds(Map<String, String> users, Map<String, String> globs) {
        Map<String, ClientIdGlobs> parsed = new HashMap<>();
        globs.forEach((user, list) -> {
            if (!users.containsKey(user)) {
                throw new IllegalStateException("connmon.embedded.client-ids." + user
                        + " names no device user: set connmon.embedded.users." + user + " as well");
            }
            try {
                parsed.put(user, ClientIdGlobs.parse(list));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("connmon.embedded.client-ids." + user + ": " + e.getMessage());
            }
        });
        return Map.copyOf(parsed);
    }
}
