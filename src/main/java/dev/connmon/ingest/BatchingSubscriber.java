package dev.connmon.ingest;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiSubscriber;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Groups messages into batches, writes them, and acks a batch's messages after it is committed, in the order the
 * messages came (MQTT wants PUBACKs in order): a batch that commits before an earlier one waits for it.
 * Demand is the back-pressure: it asks for {@code writesInFlight + 1} batches' worth of messages and for more only as
 * batches are acked, so at most that many batches are in memory and a slow database pauses the broker connection.
 * A batch is written when it is full, when {@code linger} has passed since its first message (zero: at the end of
 * the event-loop task that brought it), or, under load, as soon as the previous write finishes. A full batch may
 * start while up to {@code writesInFlight - 1} others are being written: the database then finds the next statement
 * waiting when it commits one, instead of idling while connmon handles the result and sends the next; a partial
 * batch waits for the writes in flight, so that light load still makes one statement of what one write's time brings.
 */
final class BatchingSubscriber implements MultiSubscriber<Message<byte[]>> {
    private final Function<Message<byte[]>, Decoded> decoder;
    private final Function<List<Decoded>, Uni<Void>> writer;
    private final Vertx vertx;
    private final int batchSize;
    private final long lingerMs;
    private final int writesInFlight;
    private final AtomicInteger unacknowledged;

    private final List<Message<byte[]>> pending = new ArrayList<>();
    private final List<Decoded> pendingDecoded = new ArrayList<>();
    /** The batches being written or committed but not yet acked, oldest first. */
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

    private Flow.Subscription subscription;
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
            int writesInFlight,
            AtomicInteger unacknowledged) {
        this.writesInFlight = writesInFlight;
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
        subscription.request((writesInFlight + 1L) * batchSize);
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
            } else if (pending.size() == 1 && inFlight.isEmpty()) {
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

    /** Starts writing the pending messages as far as writes may start now (see the class comment); lock held. */
    private void flush() {
        while (!pending.isEmpty()
                && (inFlight.isEmpty() || (pending.size() >= batchSize && inFlight.size() < writesInFlight))) {
            write();
        }
    }

    private void write() {
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
        InFlight write = new InFlight(batch);
        inFlight.add(write);
        writer.apply(decoded).subscribe().with(ignored -> done(write, true), failure -> {
            // unreachable by contract (the writer retries forever); if it happens, do not ack: the broker redelivers
            Log.errorf(failure, "Lifecycle batch of %d messages was not stored", batch.size());
            done(write, false);
        });
    }

    /**
     * A write ended: acks every batch, oldest first, up to the first one still being written. The acks are made under
     * the lock: writes end on the threads of their database connections, and two ending at once must not ack out of
     * order.
     */
    private synchronized void done(InFlight write, boolean committed) {
        write.done = true;
        write.committed = committed;
        int acked = 0;
        while (!inFlight.isEmpty() && inFlight.peek().done) {
            InFlight batch = inFlight.poll();
            // a batch that was not stored stays unacknowledged: the broker redelivers it
            if (batch.committed) {
                for (Message<byte[]> message : batch.messages) {
                    message.ack();
                }
                acked += batch.messages.size();
            }
        }
        if (acked > 0) {
            unacknowledged.addAndGet(-acked);
            subscription.request(acked);
        }
        flush();
    }

    private static final class InFlight {
        final List<Message<byte[]>> messages;
        boolean done;
        boolean committed;

        InFlight(List<Message<byte[]>> messages) {
            this.messages = messages;
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
