package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.state.ChangeReader.Change;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.subscription.BackPressureFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The change feed's own logic without a database: the stored changes first, then the live ones, with no gap and no
 * duplicate at the seam; the subscriber's filter; registration only while subscribed; a subscriber that falls a
 * buffer behind fails with BackPressureFailure and is let go. The stored changes are the test's list.
 */
class ChangeFeedTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** The committed changes, ids 1, 2, … ; how many reads the feed made. */
    private final List<Change> committed = new CopyOnWriteArrayList<>();

    private final AtomicInteger reads = new AtomicInteger();

    private final ChangeFeed.Source source = (after, upTo, limit) -> {
        reads.incrementAndGet();
        return Uni.createFrom()
                .item(committed.stream()
                        .filter(c -> c.id() > after && c.id() <= upTo)
                        .limit(limit)
                        .toList());
    };

    private void commit(int count) {
        for (int i = 0; i < count; i++) {
            long id = committed.size() + 1;
            committed.add(new Change(id, "client-" + id % 3, null, null, null));
        }
    }

    private static List<Long> ids(AssertSubscriber<Change> subscriber) {
        return subscriber.getItems().stream().map(Change::id).toList();
    }

    @Test
    void storedChangesThenLiveOnesWithoutGapOrDuplicate() {
        ChangeFeed feed = new ChangeFeed(source, new SimpleMeterRegistry(), 100);
        commit(5);
        feed.read();
        assertThat(feed.cursor()).isEqualTo(5);

        AssertSubscriber<Change> fromTwo = feed.since(2).subscribe().withSubscriber(AssertSubscriber.create(100));
        AssertSubscriber<Change> fromNow =
                feed.since(feed.cursor()).subscribe().withSubscriber(AssertSubscriber.create(100));
        fromTwo.awaitItems(3, WAIT);
        commit(3);
        feed.read();
        fromTwo.awaitItems(6, WAIT);
        fromNow.awaitItems(3, WAIT);
        assertThat(ids(fromTwo)).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);
        assertThat(ids(fromNow)).containsExactly(6L, 7L, 8L);
        // a read that finds nothing new delivers nothing twice
        feed.read();
        assertThat(ids(fromNow)).containsExactly(6L, 7L, 8L);
    }

    @Test
    void aSubscriberGetsOnlyWhatItWantsStoredAndLive() {
        ChangeFeed feed = new ChangeFeed(source, new SimpleMeterRegistry(), 100);
        commit(6);
        feed.read();
        AssertSubscriber<Change> ones = feed.since(0, c -> c.clientId().equals("client-1"))
                .subscribe()
                .withSubscriber(AssertSubscriber.create(100));
        ones.awaitItems(2, WAIT);
        commit(6);
        feed.read();
        ones.awaitItems(4, WAIT);
        assertThat(ids(ones)).containsExactly(1L, 4L, 7L, 10L);
    }

    @Test
    void aSubscriberIsRegisteredOnlyWhileSubscribed() {
        ChangeFeed feed = new ChangeFeed(source, new SimpleMeterRegistry(), 100);
        var stream = feed.since(0);
        // a stream refused or abandoned before it starts leaves nothing behind
        assertThat(feed.subscriberCount()).isZero();
        AssertSubscriber<Change> subscriber = stream.subscribe().withSubscriber(AssertSubscriber.create(10));
        assertThat(feed.subscriberCount()).isEqualTo(1);
        subscriber.cancel();
        assertThat(feed.subscriberCount()).isZero();
        commit(3);
        feed.read();
        assertThat(subscriber.getItems()).isEmpty();
    }

    @Test
    void aSubscriberABufferBehindFailsAndIsLetGo() {
        ChangeFeed feed = new ChangeFeed(source, new SimpleMeterRegistry(), 4);
        AssertSubscriber<Change> slow = feed.since(0).subscribe().withSubscriber(AssertSubscriber.create(1));
        AssertSubscriber<Change> keepingUp =
                feed.since(0).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        commit(10);
        feed.read();
        // reads are as large as one buffer, so that a subscriber that keeps up is never closed; a full read reads on
        assertThat(reads.get()).isGreaterThanOrEqualTo(3);
        // what its buffer holds still comes first (2 to 5), then the failure: the stream ends with a resume event
        assertThat(ids(slow)).containsExactly(1L);
        slow.request(100);
        slow.awaitFailure(WAIT).assertFailedWith(BackPressureFailure.class);
        assertThat(ids(slow)).containsExactly(1L, 2L, 3L, 4L, 5L);
        keepingUp.awaitItems(10, WAIT);
        assertThat(ids(keepingUp)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(feed.subscriberCount()).isEqualTo(1);
    }

    @Test
    void aSubscriberWithABufferOfItsOwnTakesABurstThatFailsOneWithTheDefault() {
        ChangeFeed feed = new ChangeFeed(source, new SimpleMeterRegistry(), 4);
        AssertSubscriber<Change> withDefault = feed.since(0).subscribe().withSubscriber(AssertSubscriber.create(1));
        AssertSubscriber<Change> withOwn =
                feed.since(0, change -> true, 16).subscribe().withSubscriber(AssertSubscriber.create(1));
        commit(10);
        feed.read();
        withDefault.request(100);
        withDefault.awaitFailure(WAIT).assertFailedWith(BackPressureFailure.class);
        // nine held while it asked for one: within its own buffer, so nothing is lost and it stays subscribed
        withOwn.request(100);
        withOwn.awaitItems(10, WAIT);
        assertThat(ids(withOwn)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(withOwn.getFailure()).isNull();
        assertThat(feed.subscriberCount()).isEqualTo(1);
    }

    @Test
    void stoppingCompletesEverySubscriber() {
        ChangeFeed feed = new ChangeFeed(source, new SimpleMeterRegistry(), 10);
        AssertSubscriber<Change> subscriber = feed.since(0).subscribe().withSubscriber(AssertSubscriber.create(10));
        feed.stop(null);
        subscriber.awaitCompletion(WAIT);
        assertThat(feed.subscriberCount()).isZero();
    }
}
