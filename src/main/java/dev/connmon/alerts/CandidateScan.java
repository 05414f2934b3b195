package dev.connmon.alerts;

import dev.connmon.query.PagePosition;
import dev.connmon.query.StateFilter;
import dev.connmon.query.StateSort;
import dev.connmon.schedule.Expectations;
import java.time.Instant;

/**
 * One pass of a rule over its candidates (the clients whose condition has outlasted {@code for}), read a few pages
 * per evaluation so that a large catch-up, such as a first term's on a big fleet, never holds up the evaluations of
 * changes. Its bounds are fixed when it starts: clients cannot enter the range behind its position, because a
 * condition that begins now begins after {@code cutoff}; a late event that moves one into it is a change, and
 * changes are evaluated on their own.
 */
final class CandidateScan {
    /** Candidates per page: the alerts of a page are opened in one transaction. */
    static final int PAGE = 500;
    /** Pages read per rule and evaluation. */
    static final int PAGES_PER_EVALUATION = 4;

    private static final StateSort BY_DISCONNECT = new StateSort(StateSort.Field.LAST_DISCONNECT_TIME, false);

    private final StateFilter filter;
    private final StateSort sort;
    private final Instant cutoff;
    private PagePosition position;

    private CandidateScan(StateFilter filter, StateSort sort, Instant cutoff) {
        this.filter = filter;
        this.sort = sort;
        this.cutoff = cutoff;
    }

    /**
     * The rule's next pass over the clients of one expectation whose check-in was due after {@code after} (null:
     * ever) and has been missed for {@code for} at {@code now}; null when the rule's clients and the expectation's
     * cannot meet.
     */
    static CandidateScan overdue(AlertRule rule, Expectations.Expectation expectation, Instant now, Instant after) {
        try {
            return new CandidateScan(
                    rule.overdueCandidates(
                            expectation.filter(),
                            expectation.within(),
                            now,
                            after == null ? null : after.minusMillis(1)),
                    BY_DISCONNECT,
                    now.minus(rule.holdFor()));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The rule's next pass: the clients whose condition began after {@code after} (null: ever) and has held for
     * {@code for} at {@code now}; a flapping rule reads every flapping client, each time.
     */
    static CandidateScan of(AlertRule rule, Instant now, Instant after) {
        Instant cutoff = now.minus(rule.holdFor());
        return switch (rule.condition()) {
            case FLAPPING -> new CandidateScan(rule.candidates(now, null), StateSort.BY_ID, cutoff);
            case OFFLINE, SILENT ->
                new CandidateScan(
                        rule.candidates(now, after == null ? null : after.minusMillis(1)),
                        new StateSort(
                                rule.condition() == Condition.OFFLINE
                                        ? StateSort.Field.LAST_DISCONNECT_TIME
                                        : StateSort.Field.LAST_ACTIVITY_TIME,
                                false),
                        cutoff);
            case FLEET_DROP, OVERDUE ->
                throw new IllegalArgumentException("a " + rule.condition().wireName() + " rule has no such pass");
        };
    }

    StateFilter filter() {
        return filter;
    }

    StateSort sort() {
        return sort;
    }

    /** Where the next pass starts: every condition that began up to here has been looked at. */
    Instant cutoff() {
        return cutoff;
    }

    /** The position after the last page read; null before the first. */
    PagePosition position() {
        return position;
    }

    void advance(PagePosition next) {
        position = next;
    }
}
