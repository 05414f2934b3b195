package dev.connmon.ingest;

import dev.connmon.config.KafkaSwitch;

/** Names of connmon's messaging channels, in one place. */
public final class Channels {
    /** Lifecycle messages from the broker(s), through {@link MqttLifecycleConnector}. */
    public static final String LIFECYCLE = "lifecycle";

    /** Lifecycle records from Kafka, through the Kafka connector; enabled by connmon.kafka.bootstrap-servers. */
    public static final String KAFKA_LIFECYCLE = KafkaSwitch.LIFECYCLE_CHANNEL;

    /** Every state change out to Kafka (connmon.kafka.state-topic). */
    public static final String KAFKA_STATES = KafkaSwitch.STATES_CHANNEL;

    private Channels() {}
}
