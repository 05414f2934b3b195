package dev.connmon.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A real Kafka broker ({@link TestKafka}) for the application under test, with connmon's lifecycle topic (4
 * partitions) and a compacted state topic, named to connmon through {@code connmon.kafka.*}. Injected into a test's
 * {@code TestKafka} field.
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {
    public static final String LIFECYCLE_TOPIC = "connmon.lifecycle";
    public static final String STATE_TOPIC = "connmon.states";
    public static final String GROUP = "connmon-test";

    private TestKafka kafka;

    @Override
    public Map<String, String> start() {
        kafka = EarlyKafka.take().orElseGet(TestKafka::start);
        kafka.createTopic(LIFECYCLE_TOPIC, 4, false);
        kafka.createTopic(STATE_TOPIC, 4, true);
        return Map.of(
                "connmon.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "connmon.kafka.group-id", GROUP,
                "connmon.kafka.state-topic", STATE_TOPIC);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(kafka, new TestInjector.MatchesType(TestKafka.class));
    }

    @Override
    public void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The test profile of the Kafka tests: one application, beside the default services, for all of them. */
    public static final class Profile implements io.quarkus.test.junit.QuarkusTestProfile {
        @Override
        public java.util.List<TestResourceEntry> testResources() {
            return java.util.List.of(new TestResourceEntry(KafkaResource.class));
        }
    }
}
