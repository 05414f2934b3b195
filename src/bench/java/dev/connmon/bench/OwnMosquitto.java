package dev.connmon.bench;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto of the run's own on a free port that keeps what a slow subscriber has not taken (no queue limit) and
 * sets no limit on unacknowledged messages, so that the publisher's window alone paces a run. Never the machine's
 * 127.0.0.1:1883 one: {@link #close()} stops exactly the process started here.
 */
final class OwnMosquitto implements AutoCloseable {
    private final Process process;
    private final int port;

    private OwnMosquitto(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts it with its configuration and log in {@code work/mosquitto-<port>} and waits until it listens. */
    static OwnMosquitto start(Path work, int port) throws IOException, InterruptedException {
        return start(work, port, "");
    }

    /** As {@link #start(Path, int)}, with further configuration lines (e.g. {@code log_dest topic}). */
    static OwnMosquitto start(Path work, int port, String moreConfig) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("mosquitto-" + port));
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, """
                # as root, Mosquitto would switch to its own user, which cannot read this directory
                user root
                listener %d 127.0.0.1
                allow_anonymous true
                persistence false
                max_queued_messages 0
                max_inflight_messages 0
                """.formatted(port) + moreConfig);
        Process process = new ProcessBuilder("mosquitto", "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile())
                .start();
        OwnMosquitto mosquitto = new OwnMosquitto(process, port);
        for (int i = 0; i < 100; i++) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return mosquitto;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
        }
        mosquitto.close();
        throw new IllegalStateException("mosquitto did not listen on " + port + " (log in " + dir + ")");
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** SIGTERM, then SIGKILL if it has not gone within 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
