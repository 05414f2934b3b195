package dev.connmon.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Batching, demand and acknowledgement without a broker or a database: the writer is the test's. */
class BatchingSubscriberTest {
    private final Vertx vertx = Vertx.vertx();
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final AtomicInteger acked = new AtomicInteger();
    private final List<String> ackOrder = new CopyOnWriteArrayList<>();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger unacknowledged = new AtomicInteger();

    /** One batch handed to the writer, committed (or failed) when the test says so. */
    private record Write(List<Decoded> batch, UniEmitter<? super Void> commit) {}

    @AfterEach
    void closeVertx() {
        vertx.close();
    }

    private BatchingSubscriber subscriber(int batchSize, Duration linger) {
        return subscriber(batchSize, linger, 1);
    }

    private BatchingSubscriber subscriber(int batchSize, Duration linger, int writesInFlight) {
        BatchingSubscriber subscriber = new BatchingSubscriber(
                message -> new Decoded("default", "t", message.getPayload(), Instant.now(), "connmon", List.of(), null),
                batch -> Uni.createFrom().emitter(commit -> writes.add(new Write(batch, commit))),
                vertx,
                batchSize,
                linger,
                writesInFlight,
                unacknowledged);
        subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                requested.addAndGet(n);
            }

            @Override
            public void cancel() {}
        });
        return subscriber;
    }

    /**
     * Runs {@code delivery} in one event-loop task and waits for it. Without linger a partial batch is flushed when the
     * task that brought it ends; called from the test thread, that flush races the next {@code onItem}.
     */
    private void onEventLoop(Runnable delivery) {
        CompletableFuture<Void> delivered = new CompletableFuture<>();
        vertx.runOnContext(ignored -> {
            try {
                delivery.run();
                delivered.complete(null);
            } catch (RuntimeException | Error e) {
                delivered.completeExceptionally(e);
            }
        });
        delivered.orTimeout(5, TimeUnit.SECONDS).join();
    }

    private Message<byte[]> message(int i) {
        return Message.of(("m" + i).getBytes(StandardCharsets.UTF_8), () -> {
            acked.incrementAndGet();
            ackOrder.add("m" + i);
            return CompletableFuture.completedFuture(null);
        });
    }

    @Test
    void asksForTwoBatchesAndForMoreOnlyAsBatchesCommit() {
        BatchingSubscriber subscriber = subscriber(3, Duration.ofSeconds(10));
        assertThat(requested).hasValue(6);
        for (int i = 0; i < 6; i++) {
            subscriber.onItem(message(i));
        }
        // a full batch is written at once; the second waits for the first: one write in flight
        assertThat(writes).hasSize(1);
        assertThat(writes.get(0).batch())
                .extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
                .containsExactly("m0", "m1", "m2");
        assertThat(acked).hasValue(0);
        assertThat(unacknowledged).hasValue(6);

        writes.get(0).commit().complete(null);
        assertThat(acked).hasValue(3);
        assertThat(unacknowledged).hasValue(3);
        assertThat(requested).hasValue(9);
        assertThat(writes).hasSize(2);
        assertThat(writes.get(1).batch()).hasSize(3);

        writes.get(1).commit().complete(null);
        assertThat(acked).hasValue(6);
        assertThat(unacknowledged).hasValue(0);
        assertThat(requested).hasValue(12);
    }

    @Test
    void withoutLingerAPartialBatchIsWrittenOnceTheTaskThatBroughtItEnds() {
        BatchingSubscriber subscriber = subscriber(500, Duration.ZERO);
        vertx.runOnContext(ignored -> {
            subscriber.onItem(message(0));
            subscriber.onItem(message(1));
            // same task: nothing written yet, so both share one batch
            assertThat(writes).isEmpty();
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> writes.size() == 1);
        assertThat(writes.get(0).batch()).hasSize(2);
    }

    @Test
    void lingerWaitsForMoreMessagesBeforeWritingAPartialBatch() {
        BatchingSubscriber subscriber = subscriber(500, Duration.ofMillis(300));
        long start = System.nanoTime();
        subscriber.onItem(message(0));
        subscriber.onItem(message(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> writes.size() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(writes.get(0).batch()).hasSize(2);
    }

    @Test
    void messagesThatArriveDuringAWriteFormTheNextBatch() {
        BatchingSubscriber subscriber = subscriber(500, Duration.ZERO);
        subscriber.onItem(message(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> writes.size() == 1);
        for (int i = 1; i <= 4; i++) {
            subscriber.onItem(message(i));
        }
        assertThat(writes).hasSize(1);
        writes.get(0).commit().complete(null);
        assertThat(writes).hasSize(2);
        assertThat(writes.get(1).batch()).hasSize(4);
    }

    @Test
    void aBatchThatIsNotStoredIsNotAcknowledged() {
        BatchingSubscriber subscriber = subscriber(2, Duration.ofSeconds(10));
        subscriber.onItem(message(0));
        subscriber.onItem(message(1));
        writes.get(0).commit().fail(new IllegalStateException("database gone"));
        // the broker keeps them and redelivers: nothing acked, nothing more asked for
        assertThat(acked).hasValue(0);
        assertThat(unacknowledged).hasValue(2);
        assertThat(requested).hasValue(4);
    }

    @Test
    void fullBatchesAreWrittenTogetherUpToWritesInFlightAndAckedInTheirOrder() {
        BatchingSubscriber subscriber = subscriber(2, Duration.ofSeconds(10), 2);
        // writes in flight plus the batch that forms meanwhile
        assertThat(requested).hasValue(6);
        for (int i = 0; i < 6; i++) {
            subscriber.onItem(message(i));
        }
        assertThat(writes).hasSize(2);
        assertThat(unacknowledged).hasValue(6);

        // the later batch commits first: it waits for the earlier one to be acked, and keeps its slot until then
        writes.get(1).commit().complete(null);
        assertThat(acked).hasValue(0);
        assertThat(requested).hasValue(6);
        assertThat(writes).hasSize(2);

        writes.get(0).commit().complete(null);
        assertThat(ackOrder).containsExactly("m0", "m1", "m2", "m3");
        assertThat(unacknowledged).hasValue(2);
        assertThat(requested).hasValue(10);
        assertThat(writes).hasSize(3);
        assertThat(writes.get(2).batch())
                .extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
                .containsExactly("m4", "m5");
    }

    @Test
    void aPartialBatchWaitsForTheWritesInFlight() {
        BatchingSubscriber subscriber = subscriber(3, Duration.ZERO, 2);
        // one socket read's messages, delivered in one event-loop task as the connector does
        onEventLoop(() -> {
            for (int i = 0; i < 3; i++) {
                subscriber.onItem(message(i));
            }
        });
        assertThat(writes).hasSize(1);
        onEventLoop(() -> subscriber.onItem(message(3)));
        // light load: one statement of what arrives during a write, not one per message
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> writes.size() == 1);
        writes.get(0).commit().complete(null);
        assertThat(writes).hasSize(2);
        assertThat(writes.get(1).batch()).hasSize(1);
    }

    @Test
    void aPartialBatchWaitsUntilNoWriteIsInFlightEvenWithASlotFree() {
        BatchingSubscriber subscriber = subscriber(2, Duration.ZERO, 2);
        onEventLoop(() -> {
            for (int i = 0; i < 5; i++) {
                subscriber.onItem(message(i));
            }
        });
        assertThat(writes).hasSize(2);
        // one write ends: a slot is free, but m4 alone is no full batch, and the other write is still in flight
        writes.get(0).commit().complete(null);
        assertThat(writes).hasSize(2);
        writes.get(1).commit().complete(null);
        assertThat(writes).hasSize(3);
        assertThat(writes.get(2).batch())
                .extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
                .containsExactly("m4");
    }

    @Test
    void aBatchThatIsNotStoredDoesNotHoldBackTheAcksOfLaterOnes() {
        BatchingSubscriber subscriber = subscriber(2, Duration.ofSeconds(10), 2);
        for (int i = 0; i < 4; i++) {
            subscriber.onItem(message(i));
        }
        writes.get(0).commit().fail(new IllegalStateException("database gone"));
        writes.get(1).commit().complete(null);
        assertThat(ackOrder).containsExactly("m2", "m3");
        assertThat(unacknowledged).hasValue(2);
    }
}
