package dev.connmon.ingest;

import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.metrics.LifecycleEventCounter;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.Rejection;
import dev.connmon.state.StateRepository;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stores decoded messages, retrying until the database takes them. A batch that PostgreSQL refuses for its
 * data (not for being unreachable) is split until the one message it refuses is found; that message is kept as
 * a rejection, and every other message of the batch is stored.
 */
@ApplicationScoped
class BatchWriter {
    private final StateRepository repository;
    private final MessageDecoder decoder;
    private final DistributionSummary batchSize;
    private final Timer writeTime;
    private final Timer lag;
    private final Timer delivery;
    private final LifecycleEventCounter stored;

    BatchWriter(
            StateRepository repository, MessageDecoder decoder, MeterRegistry metrics, LifecycleEventCounter stored) {
        this.repository = repository;
        this.decoder = decoder;
        this.stored = stored;
        this.batchSize = metrics.summary("connmon.ingest.batch.size");
        this.writeTime = Timer.builder("connmon.ingest.write")
                .description("From a batch's first write attempt to its commit (retries included)")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
        this.lag = Timer.builder("connmon.ingest.lag")
                .description("From a message's arrival to the commit of its batch")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
        // how late sources deliver: event time to arrival (broker and connmon clocks differ for remote brokers,
        // so this is exact for the embedded broker only; an event "from the future" counts as zero)
        this.delivery = Timer.builder("connmon.ingest.delivery")
                .description("From an event's own time to its arrival at connmon")
                .publishPercentiles(0.5, 0.99)
                .register(metrics);
    }

    /** Completes once every message is stored, as events or as a rejection; never fails. */
    Uni<Void> write(List<Decoded> messages) {
        long started = System.nanoTime();
        return attempt(messages)
                .onFailure(f -> !isDataError(f))
                .invoke(f -> Log.warnf(
                        "Cannot store %d lifecycle messages yet (%s); retrying", messages.size(), f.getMessage()))
                .onFailure(f -> !isDataError(f))
                .retry()
                .withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10))
                .indefinitely()
                .invoke(() -> recordStored(messages, started));
    }

    private void recordStored(List<Decoded> messages, long started) {
        batchSize.record(messages.size());
        writeTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        Instant now = Instant.now();
        for (Decoded message : messages) {
            lag.record(Duration.between(message.receivedAt(), now));
            for (LifecycleEvent event : message.events()) {
                Duration late = Duration.between(event.time(), message.receivedAt());
                delivery.record(late.isNegative() ? Duration.ZERO : late);
            }
        }
    }

    private Uni<Void> attempt(List<Decoded> messages) {
        IngestBatch batch = toBatch(messages);
        return repository
                .apply(batch)
                // counted per committed batch: a retried batch counts once, a refused message's events not at all
                .invoke(() -> stored.count(batch.events()))
                .onFailure(BatchWriter::isDataError)
                .recoverWithUni(failure -> split(messages, failure));
    }

    private Uni<Void> split(List<Decoded> messages, Throwable failure) {
        if (messages.size() == 1) {
            Decoded message = messages.get(0);
            Decoded rejected = decoder.reject(
                    new LifecycleMessageMetadata(
                            message.source(), null, null, message.topic(), 1, false, message.receivedAt()),
                    message.dialect(),
                    "the database refused the event: " + failure.getMessage(),
                    message.payload());
            return repository
                    .apply(toBatch(List.of(rejected)))
                    .onFailure()
                    .invoke(f -> Log.errorf(
                            "Dropped a lifecycle message on '%s' that the database "
                                    + "refuses even as a rejection: %s",
                            message.topic(), f.getMessage()))
                    .onFailure(BatchWriter::isDataError)
                    .recoverWithNull();
        }
        int half = messages.size() / 2;
        return attempt(messages.subList(0, half)).chain(() -> attempt(messages.subList(half, messages.size())));
    }

    private static IngestBatch toBatch(List<Decoded> messages) {
        List<LifecycleEvent> events = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        for (Decoded decoded : messages) {
            events.addAll(decoded.events());
            if (decoded.rejection() != null) {
                rejections.add(decoded.rejection());
            }
        }
        return new IngestBatch(events, rejections);
    }

    /** Data exceptions, integrity violations and program limits (e.g. an index row too large) are the data's fault. */
    static boolean isDataError(Throwable failure) {
        if (failure instanceof PgException pg && pg.getSqlState() != null) {
            String state = pg.getSqlState();
            return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
        }
        return false;
    }
}
