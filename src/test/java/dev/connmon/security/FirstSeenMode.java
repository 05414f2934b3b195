package dev.connmon.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The mode a file had the first moment another thread could see it, as an attacker polling the directory would: a
 * file created with the default mode (0644) and narrowed afterwards shows 0644 to a watcher that is quick enough.
 */
final class FirstSeenMode implements AutoCloseable {
    private final CompletableFuture<String> mode = new CompletableFuture<>();
    private final CountDownLatch watching = new CountDownLatch(1);
    private final Thread watcher;

    private FirstSeenMode(Path file) {
        watcher = new Thread(
                () -> {
                    watching.countDown();
                    while (!mode.isDone() && !Thread.currentThread().isInterrupted()) {
                        try {
                            mode.complete(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
                        } catch (NoSuchFileException notYet) {
                            Thread.onSpinWait();
                        } catch (IOException e) {
                            mode.completeExceptionally(e);
                        }
                    }
                },
                "first-seen-mode");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Watching {@code file}, which does not exist yet, from the moment this returns. */
    static FirstSeenMode of(Path file) throws InterruptedException {
        FirstSeenMode seen = new FirstSeenMode(file);
        seen.watching.await();
        return seen;
    }

    String get() throws Exception {
        return mode.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        watcher.interrupt();
    }
}
