package dev.connmon.embedded;

import java.nio.file.Path;
import java.util.Map;

/**
 * How the embedded broker runs. The system user is connmon's own connection: the only client that may read the
 * lifecycle topics, and the only one that may publish under {@code connmon/}.
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
        Path dataDir) {
}
