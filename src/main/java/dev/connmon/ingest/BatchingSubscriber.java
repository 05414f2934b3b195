package dev.connmon.ingest;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Groups messages into batches, writes one batch at a time, and acks a batch's messages after it is committed.
 * Demand is the back-pressure: it asks for two batches' worth of messages and for more only as batches commit,
 * so at most {@code 2 × batchSize} messages are in memory and a slow database pauses the broker connection.
 * A batch is written when it is full, when {@code linger} has passed since its first message (zero: at the end of
 * the event-loop task that brought it), or, under load, as soon as the previous write finishes.
 */
final class BatchingSubscriber implements MultiSubscriber<Message<byte[]>> {
    private final Function<Message<byte[]>, Decoded> decoder;
    private final Function<List<Decoded>, Uni<Void>> writer;
    private final Vertx vertx;
    private final int batchSize;
    private final long lingerMs;
    private final AtomicInteger unacknowledged;

    private final List<Message<byte[]>> pending = new ArrayList<>();
    private final List<Decoded> pendingDecoded = new ArrayList<>();
    private Flow.Subscription subscription;
    private boolean writing;
    private long lingerTimer = -1;
    /** Which scheduled flush is current: a flush that is due but was overtaken (batch full) does nothing. */
    private long flushToken;

    /**
     * @param decoder decodes a message (never fails: what cannot be decoded becomes a rejection)
     * @param writer stores a batch; its item means committed
     */
    BatchingSubscriber(
            Function<Message<byte[]>, Decoded> decoder,
            Function<List<Decoded>, Uni<Void>> writer,
            Vertx vertx,
            int batchSize,
            Duration linger,
            AtomicInteger unacknowledged) {
        this.unacknowledged = unacknowledged;
        this.decoder = decoder;
        this.writer = writer;
        this.vertx = vertx;
        this.batchSize = batchSize;
        this.lingerMs = Math.max(0, linger.toMillis());
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        subscription.request(2L * batchSize);
    }

    @Override
    public void onItem(Message<byte[]> message) {
        Decoded decoded = decoder.apply(message);
        unacknowledged.incrementAndGet();
        synchronized (this) {
            pending.add(message);
            pendingDecoded.add(decoded);
            if (pending.size() >= batchSize) {
                flush();
            } else if (pending.size() == 1 && !writing) {
                scheduleFlush();
            }
        }
    }

    /**
     * With no linger the batch is written once the current event-loop task ends, so the messages of one socket read
     * still share it; under load, batches form anyway while the previous one is being written.
     */
    private void scheduleFlush() {
        long token = ++flushToken;
        if (lingerMs == 0) {
            vertx.runOnContext(ignored -> flushIfCurrent(token));
        } else {
            lingerTimer = vertx.setTimer(lingerMs, ignored -> flushIfCurrent(token));
        }
    }

    private synchronized void flushIfCurrent(long token) {
        if (token == flushToken) {
            lingerTimer = -1;
            flush();
        }
    }

    /** Starts writing the pending messages unless a write is in flight; called with the lock held. */
    private void flush() {
        if (writing || pending.isEmpty()) {
            return;
        }
        if (lingerTimer != -1) {
            vertx.cancelTimer(lingerTimer);
            lingerTimer = -1;
        }
        flushToken++;
        int size = Math.min(batchSize, pending.size());
        List<Message<byte[]>> batch = new ArrayList<>(pending.subList(0, size));
        List<Decoded> decoded = new ArrayList<>(pendingDecoded.subList(0, size));
        pending.subList(0, size).clear();
        pendingDecoded.subList(0, size).clear();
        writing = true;
        writer.apply(decoded).subscribe().with(ignored -> committed(batch), failure -> {
            // unreachable by contract (the writer retries forever); if it happens, do not ack: the broker redelivers
            Log.errorf(failure, "Lifecycle batch of %d messages was not stored", batch.size());
            synchronized (this) {
                writing = false;
            }
        });
    }

    private void committed(List<Message<byte[]>> batch) {
        for (Message<byte[]> message : batch) {
            message.ack();
        }
        unacknowledged.addAndGet(-batch.size());
        synchronized (this) {
            writing = false;
            subscription.request(batch.size());
            flush();
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        Log.errorf(failure, "The lifecycle stream failed");
    }

    @Override
    public void onCompletion() {
        Log.info("The lifecycle stream completed");
    }
}
