package dev.connmon.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A Mosquitto process of the test's own, on a free port, logging client lifecycle to {@code $SYS/broker/log/#}
 * ({@code log_dest topic}), with one password user. Needs the {@code mosquitto} binary (Debian's package).
 */
public final class TestMosquitto implements AutoCloseable {
    public static final String USER = "alice";
    public static final String PASSWORD = "alice-secret";

    private final Path dir;
    private final Path conf;
    private final int port;
    private Process process;

    private TestMosquitto(Path dir, Path conf, int port) {
        this.dir = dir;
        this.conf = conf;
        this.port = port;
    }

    public static TestMosquitto start() {
        return start(false);
    }

    /**
     * With {@code persistent}, sessions and their queued messages survive a {@link #stop()} and {@link #restart()},
     * and a persistent session's queue has no length limit (stock Mosquitto drops beyond 1 000 messages), so that a
     * test can hold a long backlog for connmon.
     */
    public static TestMosquitto start(boolean persistent) {
        try {
            Path dir = Files.createTempDirectory("mosquitto");
            int port = PackagedApp.freePort();
            Path passwords = dir.resolve("passwords");
            Process passwd = new ProcessBuilder("mosquitto_passwd", "-c", "-b", passwords.toString(), USER, PASSWORD)
                    .redirectErrorStream(true)
                    .start();
            passwd.getInputStream().readAllBytes();
            if (passwd.waitFor() != 0) {
                throw new IllegalStateException("mosquitto_passwd failed");
            }
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(
                    conf, """
                    # as root, Mosquitto would switch to its own user, which cannot read this temporary directory
                    user root
                    per_listener_settings false
                    listener %d 127.0.0.1
                    allow_anonymous true
                    password_file %s
                    log_dest topic
                    log_dest stderr
                    log_type error
                    log_type warning
                    log_type notice
                    log_type information
                    log_type subscribe
                    log_type unsubscribe
                    connection_messages true
                    """.formatted(port, passwords) + (persistent ? """
                    persistence true
                    persistence_location %s/
                    max_queued_messages 0
                    max_inflight_messages 0
                    """.formatted(dir) : "persistence false\n"));
            TestMosquitto mosquitto = new TestMosquitto(dir, conf, port);
            mosquitto.launch();
            return mosquitto;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void launch() {
        try {
            process = new ProcessBuilder("mosquitto", "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dir.resolve("mosquitto.log").toFile()))
                    .start();
            awaitListening(port, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitListening(int port, Process process) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + port);
    }

    public int port() {
        return port;
    }

    /** Stops the broker as an operator would (SIGTERM: a persistent broker saves its sessions). */
    public void stop() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts it again on the same port and configuration. */
    public void restart() {
        launch();
    }

    @Override
    public void close() {
        stop();
    }
}
