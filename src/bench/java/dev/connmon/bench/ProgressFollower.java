package dev.connmon.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Reads how far a run has got (events stored, as the database shows it) every few milliseconds on a thread of its
 * own, so that the publisher's window can ask for it without a query of its own.
 */
final class ProgressFollower implements AutoCloseable {
    /** One reading; an exception ends the following (the last value stays). */
    interface Probe {
        long read() throws Exception;
    }

    private final Thread thread;
    private volatile long value;
    private volatile boolean stopped;

    ProgressFollower(String name, Probe probe, long periodMillis) {
        thread = new Thread(
                () -> {
                    while (!stopped) {
                        try {
                            value = probe.read();
                        } catch (Exception e) {
                            if (!stopped) {
                                System.err.println("progress " + name + " stopped: " + e);
                            }
                            return;
                        }
                        LockSupport.parkNanos(periodMillis * 1_000_000L);
                    }
                },
                "progress-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    long value() {
        return value;
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
