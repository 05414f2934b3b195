package dev.connmon.ingest;

/** Names of connmon's messaging channels, in one place. */
public final class Channels {
    /** Lifecycle messages from the broker(s), through {@link MqttLifecycleConnector}. */
    public static final String LIFECYCLE = "lifecycle";

    private Channels() {}
}
