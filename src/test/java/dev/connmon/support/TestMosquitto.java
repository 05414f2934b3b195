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

    private final Process process;
    private final int port;

    private TestMosquitto(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static TestMosquitto start() {
        try {
            Path dir = Files.createTempDirectory("mosquitto");
            int port = PackagedApp.freePort();
            Path passwords = dir.resolve("passwords");
            Process passwd = new ProcessBuilder("mosquitto_passwd", "-c", "-b", passwords.toString(), USER, PASSWORD)
                    .redirectErrorStream(true).start();
            passwd.getInputStream().readAllBytes();
            if (passwd.waitFor() != 0) {
                throw new IllegalStateException("mosquitto_passwd failed");
            }
            Path conf = dir.resolve("mosquitto.conf");
            Files.writeString(conf, """
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
                    persistence false
                    """.formatted(port, passwords));
            Process process = new ProcessBuilder("mosquitto", "-c", conf.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("mosquitto.log").toFile())
                    .start();
            awaitListening(port, process);
            return new TestMosquitto(process, port);
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

    @Override
    public void close() {
        process.destroy();
    }
}
