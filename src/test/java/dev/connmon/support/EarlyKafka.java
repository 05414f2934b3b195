package dev.connmon.support;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Starts the Kafka broker of the Kafka tests while the tests before them run: formatting its log and starting its
 * JVM took about ten seconds of a run that otherwise waits on timers. Started once the first test class is done (the
 * application is up by then, so the two starts do not share the CPU), only when the run holds a Kafka test and none
 * has begun; {@link KafkaResource} takes it over, and one not taken is stopped with the run.
 * <p>
 * The broker is handed over in the system properties, as JDK types only: JUnit loads this listener in its own class
 * loader, and Quarkus loads the tests and their resources in another.
 */
public final class EarlyKafka implements TestExecutionListener {
    private static final String HANDOVER = "connmon.test.early-kafka";
    private static final String KAFKA_TESTS = "dev.connmon.kafka.";

    private boolean kafkaInPlan;
    private boolean kafkaBegun;
    private boolean launched;

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        kafkaInPlan = plan.getRoots().stream()
                .flatMap(root -> plan.getDescendants(root).stream())
                .anyMatch(EarlyKafka::isKafkaTestClass);
    }

    @Override
    public void executionStarted(TestIdentifier identifier) {
        if (isKafkaTestClass(identifier)) {
            kafkaBegun = true;
        }
    }

    @Override
    public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
        boolean aClass =
                identifier.getSource().filter(ClassSource.class::isInstance).isPresent();
        if (!kafkaInPlan || kafkaBegun || launched || !aClass) {
            return;
        }
        launched = true;
        CompletableFuture<Map<String, Object>> start =
                CompletableFuture.supplyAsync(() -> TestKafka.start().handOver(), task -> {
                    Thread thread = new Thread(task, "early-kafka");
                    thread.setDaemon(true);
                    thread.start();
                });
        System.getProperties().put(HANDOVER, start);
        // a run cut short leaves no broker behind: KafkaResource or the end of the plan stop it otherwise
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> start.thenAccept(broker -> ((Process) broker.get("process")).destroyForcibly())));
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        take().ifPresent(TestKafka::close);
    }

    /** The broker started early, once it answers; empty when none was started (or it failed to start). */
    @SuppressWarnings("unchecked")
    static Optional<TestKafka> take() {
        Object start = System.getProperties().remove(HANDOVER);
        if (!(start instanceof CompletableFuture<?> future)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> broker = (Map<String, Object>) future.get(90, TimeUnit.SECONDS);
            return Optional.of(TestKafka.takeOver(
                    (Path) broker.get("dir"), (Integer) broker.get("port"), (Process) broker.get("process")));
        } catch (Exception e) {
            // KafkaResource then starts its own, which says why it cannot if the cause is not passing
            System.err.println("The Kafka broker started early is not used: " + e);
            return Optional.empty();
        }
    }

    private static boolean isKafkaTestClass(TestIdentifier identifier) {
        return identifier
                .getSource()
                .filter(ClassSource.class::isInstance)
                .map(source -> ((ClassSource) source).getClassName())
                .filter(name -> name.startsWith(KAFKA_TESTS) && name.endsWith("Test"))
                .isPresent();
    }
}
