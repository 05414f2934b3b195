package dev.connmon.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.Set;

/**
 * Turns connmon's Kafka channels on exactly when {@code connmon.kafka.bootstrap-servers} is set (and the state stream
 * when {@code connmon.kafka.state-topic} is too): their {@code enabled} keys are answered from those, so that the
 * Kafka connector never starts a consumer or producer, and never fails the start, when Kafka is not configured.
 * A configuration file cannot say "true when that key is set"; registered in META-INF/services.
 */
@Priority(Priorities.APPLICATION)
public class KafkaSwitch implements ConfigSourceInterceptor {
    public static final String LIFECYCLE_CHANNEL = "lifecycle-kafka";
    public static final String STATES_CHANNEL = "states-kafka";

    static final String SERVERS = "connmon.kafka.bootstrap-servers";
    static final String STATE_TOPIC = "connmon.kafka.state-topic";

    private static final String LIFECYCLE_ENABLED = "mp.messaging.incoming." + LIFECYCLE_CHANNEL + ".enabled";
    private static final String STATES_ENABLED = "mp.messaging.outgoing." + STATES_CHANNEL + ".enabled";
    private static final Set<String> SWITCHED = Set.of(LIFECYCLE_ENABLED, STATES_ENABLED);

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (!SWITCHED.contains(name)) {
            return context.proceed(name);
        }
        boolean on = isSet(context, SERVERS) && (name.equals(LIFECYCLE_ENABLED) || isSet(context, STATE_TOPIC));
        return ConfigValue.builder()
                .withName(name)
                .withValue(Boolean.toString(on))
                .withConfigSourceName("connmon Kafka switch")
                .build();
    }

    private static boolean isSet(ConfigSourceInterceptorContext context, String key) {
        ConfigValue value = context.proceed(key);
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }

    /**
     * Whether connmon connects to a default MQTT broker (connmon.mqtt.host, or the embedded one): not when Kafka
     * is its only configured source (docs/kafka.md). Further brokers (connmon.sources.*) connect either way.
     */
    public static boolean defaultBroker(ConnmonConfig config) {
        return config.mqtt().host().isPresent()
                || config.kafka().bootstrapServers().isEmpty();
    }
}
