package dev.connmon.state;

import dev.connmon.cluster.AdvisoryLocks;

/**
 * The SQL every writer of client state shares to feed the change feed (table state_change, read by
 * {@link ChangeReader}): which columns a change keeps, the CTE that records changed rows, and the lock that keeps
 * the feed's ids in commit order.
 */
public final class StateChanges {
    private StateChanges() {}

    /**
     * The state columns a change keeps: what the API shows ({@link ClientStateRows#COLUMNS}) and, for the Watson status
     * topics, the connection's port and clean start ({@link ChangeReader.Connection}).
     */
    static final String COLUMNS = ClientStateRows.COLUMNS + ", port, clean_start";

    /**
     * Appends the changed rows of CTE %1$s to the change feed, in client id order; %2$s and %3$s say whether each
     * change stored a new connect and a new disconnect (the Watson status topics publish those, docs/api.md §7). A
     * statement that ends with it selects from {@code changes} (ids) and notifies the feed's readers.
     */
    static final String CHANGES = """
            , changes AS (
                INSERT INTO state_change (COLUMNS, connect_moved, disconnect_moved)
                SELECT COLUMNS, %2$s, %3$s FROM %1$s ORDER BY client_id
                RETURNING id)
            """.replace("COLUMNS", COLUMNS);

    /** The channel the change feed LISTENs on; a notification's payload is the newest change id. */
    public static final String CHANNEL = "connmon_changes";

    /** Notifies the feed's readers of the newest id in {@code %s} (a CTE of ids); PostgreSQL delivers it at commit. */
    static final String NOTIFY_NEWEST = "pg_notify('" + CHANNEL + "', max(id)::text) FROM %s";

    /** Wakes the feed's readers at commit, if anything changed. */
    static final String NOTIFY = "SELECT " + NOTIFY_NEWEST.formatted("changes") + " HAVING count(*) > 0\n";

    /** {@link #CHANGES}, then {@link #NOTIFY}: the end of a statement that returns nothing else. */
    static final String RECORD_CHANGES = CHANGES + NOTIFY;

    /**
     * Serializes writers of the change feed (across instances) for the rest of their transaction: ids are drawn
     * from a sequence when rows are inserted, not when they commit, so without it a reader could see id N + 1
     * before the transaction holding N commits, move past N, and never deliver it.
     */
    public static final String LOCK_CHANGE_FEED = "SELECT pg_advisory_xact_lock(" + AdvisoryLocks.CHANGE_FEED + ")";

    /**
     * The ingest transaction's first statement: the feed lock, and plans cached for this transaction's statements.
     * The pool plans every execution for its values (plan_cache_mode=force_custom_plan, for the list queries'
     * LIKE prefixes); the batch statement's plan does not depend on its values (arrays of rows), and planning it
     * each time cost more than small batches' execution.
     */
    static final String BEGIN_INGEST = LOCK_CHANGE_FEED + ", set_config('plan_cache_mode', 'force_generic_plan', true)";
}
