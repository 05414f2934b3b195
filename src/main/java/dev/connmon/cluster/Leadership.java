package dev.connmon.cluster;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Leadership of one task among the connmon instances sharing a database: the leader holds a PostgreSQL session
 * advisory lock. PostgreSQL releases that lock the moment the session ends (a terminated backend, a lost network), so
 * holding it is fenced twice: the leader watches its session (close handler, and a query every {@code check}
 * period that must answer within that period) and steps down as soon as either fails; a new leader waits out the
 * longest time an old one can take to notice ({@link #grace()}) before it acts. Then at most one instance acts at a
 * time, and one that lost its session competes again.
 */
public final class Leadership {
    /** One spell of leadership; {@link #current()} turns false for good when it ends. */
    public static final class Term {
        private volatile boolean current = true;

        public boolean current() {
            return current;
        }
    }

    private final String task;
    private final long lockId;
    private final Pool pool;
    private final Vertx vertx;
    private final Duration check;
    private final Duration retry;
    private final Consumer<Term> onGained;
    private final Runnable onLost;
    private SqlConnection connection;
    private Term term;
    private long checkTimer = -1;
    private long retryTimer = -1;
    private boolean stopped;

    /**
     * @param onGained called once the lock is held and the grace period has passed, with the term to check
     * @param onLost called when a term ends (the task must stop acting at once); not called on {@link #stop()}
     */
    public Leadership(
            String task,
            long lockId,
            Pool pool,
            Vertx vertx,
            Duration check,
            Duration retry,
            Consumer<Term> onGained,
            Runnable onLost) {
        this.task = task;
        this.lockId = lockId;
        this.pool = pool;
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
        pool.getConnection()
                .subscribe()
                .with(
                        candidate -> candidate
                                .preparedQuery("SELECT pg_try_advisory_lock($1) AS held")
                                .execute(Tuple.of(lockId))
                                .subscribe()
                                .with(
                                        rows -> {
                                            if (rows.iterator().next().getBoolean("held")) {
                                                lead(candidate);
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

    private synchronized void competeLater() {
        if (!stopped) {
            retryTimer = vertx.setTimer(retry.toMillis(), id -> compete());
        }
    }

    private synchronized void lead(SqlConnection held) {
        if (stopped) {
            held.closeAndForget();
            return;
        }
        Term spell = new Term();
        connection = held;
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
