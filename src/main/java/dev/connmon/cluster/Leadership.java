package dev.connmon.cluster;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Leadership of one task among the connmon instances sharing a database: the leader holds a PostgreSQL session
 * advisory lock. PostgreSQL releases that lock the moment the session ends (a terminated backend, a lost network), so
 * holding it is fenced twice: the leader watches its session (close handler, and a query every {@code check}
 * period that must answer within that period) and steps down as soon as either fails; a new leader waits out the
 * longest time an old one can take to notice ({@link #grace()}) before it acts. Then at most one instance acts at a
 * time, and one that lost its session competes again.
 * <p>
 * The lock lives on a session of its own, never one of the pool's: stepping down closes that session's socket, so
 * the server ends it and releases the lock, where a pooled session would go back to the pool, lock and all, and
 * keep it for good (a one-second stall of its backend once left no instance leading). A backend that is stalled,
 * or that never sees the closed socket (a lost network), holds on until it notices; so before competing again the
 * instance also asks the server, from a fresh session, to end the one it gave up on.
 */
public final class Leadership {
    /** One spell of leadership; {@link #current()} turns false for good when it ends. */
    public static final class Term {
        private volatile boolean current = true;

        public boolean current() {
            return current;
        }
    }

    /** A database session, by its backend's pid and start time: a pid alone may be reused once the session ends. */
    private record Session(int pid, OffsetDateTime started) {}

    private static final String TRY_LOCK = """
            SELECT pg_try_advisory_lock($1) AS held, pg_backend_pid() AS pid,
                   (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS started""";
    private static final String END_SESSION =
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND backend_start = $2";

    private final String task;
    private final long lockId;
    private final Supplier<Uni<SqlConnection>> sessions;
    private final Vertx vertx;
    private final Duration check;
    private final Duration retry;
    private final Consumer<Term> onGained;
    private final Runnable onLost;
    private SqlConnection connection;
    private Session session;
    private Session abandoned;
    private Term term;
    private long checkTimer = -1;
    private long retryTimer = -1;
    private boolean stopped;

    /**
     * @param sessions opens a database session of its own, one that closing ends (not a pooled one)
     * @param onGained called once the lock is held and the grace period has passed, with the term to check
     * @param onLost called when a term ends (the task must stop acting at once); not called on {@link #stop()}
     */
    public Leadership(
            String task,
            long lockId,
            Supplier<Uni<SqlConnection>> sessions,
            Vertx vertx,
            Duration check,
            Duration retry,
            Consumer<Term> onGained,
            Runnable onLost) {
        this.task = task;
        this.lockId = lockId;
        this.sessions = sessions;
        this.vertx = vertx;
        this.check = check;
        this.retry = retry;
        this.onGained = onGained;
        this.onLost = onLost;
    }

    public void start() {
        compete();
    }

    public synchronized void stop() {
        stopped = true;
        vertx.cancelTimer(retryTimer);
        vertx.cancelTimer(checkTimer);
        if (term != null) {
            term.current = false;
        }
        if (connection != null) {
            connection.closeAndForget();
        }
    }

    /** How long a new leader waits before acting: an old leader's check period plus its check's time limit. */
    public Duration grace() {
        return check.multipliedBy(2).plusMillis(500);
    }

    private void compete() {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        sessions.get()
                .subscribe()
                .with(
                        candidate -> endAbandoned(candidate)
                                .chain(() -> candidate.preparedQuery(TRY_LOCK).execute(Tuple.of(lockId)))
                                .subscribe()
                                .with(
                                        rows -> {
                                            Row row = rows.iterator().next();
                                            if (row.getBoolean("held")) {
                                                lead(
                                                        candidate,
                                                        new Session(
                                                                row.getInteger("pid"),
                                                                row.getOffsetDateTime("started")));
                                            } else {
                                                candidate.closeAndForget();
                                                competeLater();
                                            }
                                        },
                                        failure -> {
                                            candidate.closeAndForget();
                                            competeLater();
                                        }),
                        failure -> competeLater());
    }

    /**
     * Asks the server to end the session of a term this instance gave up on, if it is still there: its socket is
     * closed, but a stalled backend notices only when it runs again, and one cut off by the network only when TCP
     * gives up, holding the lock until then.
     */
    private Uni<Void> endAbandoned(SqlConnection candidate) {
        Session old;
        synchronized (this) {
            old = abandoned;
        }
        if (old == null) {
            return Uni.createFrom().voidItem();
        }
        return candidate
                .preparedQuery(END_SESSION)
                .execute(Tuple.of(old.pid(), old.started()))
                .invoke(rows -> {
                    if (rows.rowCount() == 0) {
                        synchronized (this) {
                            if (abandoned == old) {
                                abandoned = null;
                            }
                        }
                    } else {
                        Log.infof(
                                "Asked PostgreSQL to end this instance's former lock session for %s (backend %d)",
                                task, old.pid());
                    }
                })
                .onFailure()
                .invoke(failure -> Log.warnf(
                        "Cannot end this instance's former lock session for %s (backend %d): %s",
                        task, old.pid(), failure.getMessage()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }

    private synchronized void competeLater() {
        if (!stopped) {
            retryTimer = vertx.setTimer(retry.toMillis(), id -> compete());
        }
    }

    private synchronized void lead(SqlConnection held, Session heldBy) {
        if (stopped) {
            held.closeAndForget();
            return;
        }
        Term spell = new Term();
        connection = held;
        session = heldBy;
        term = spell;
        held.closeHandler(() -> lost(spell, "its database session closed"));
        checkTimer = vertx.setPeriodic(check.toMillis(), id -> check(held, spell));
        Log.infof("This instance leads %s; acting in %d ms", task, grace().toMillis());
        vertx.setTimer(grace().toMillis(), id -> {
            if (spell.current) {
                onGained.accept(spell);
            }
        });
    }

    private void check(SqlConnection held, Term spell) {
        held.query("SELECT 1")
                .execute()
                .ifNoItem()
                .after(check)
                .failWith(() -> new IllegalStateException(
                        "its database session did not " + "answer within " + check.toMillis() + " ms"))
                .subscribe()
                .with(rows -> {}, failure -> lost(spell, failure.getMessage()));
    }

    private void lost(Term spell, String why) {
        synchronized (this) {
            if (!spell.current) {
                return;
            }
            spell.current = false;
            vertx.cancelTimer(checkTimer);
            if (connection != null) {
                connection.closeAndForget();
                connection = null;
                abandoned = session;
            }
            if (stopped) {
                return;
            }
        }
        Log.warnf("This instance no longer leads %s (%s); it stops and competes again", task, why);
        onLost.run();
        competeLater();
    }

    /** Fails at once when the term has ended, so that a chain of actions stops at its next step. */
    public static Uni<Void> require(Term spell) {
        return spell.current
                ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(new IllegalStateException("leadership ended"));
    }
}
