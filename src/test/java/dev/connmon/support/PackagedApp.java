package dev.connmon.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged connmon (target/quarkus-app) as a separate process, for benchmarks and multi-instance tests. */
public final class PackagedApp implements AutoCloseable {
    /** One client for every poll: each new HttpClient starts a selector thread of its own. */
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final int httpPort;

    private PackagedApp(Process process, int httpPort) {
        this.process = process;
        this.httpPort = httpPort;
    }

    /** Starts {@code java -jar quarkus-run.jar} with these system properties and waits until it is ready. */
    public static PackagedApp start(Map<String, String> properties, List<String> jvmArgs) {
        return start(properties, jvmArgs, null);
    }

    /** The same, with the app's standard output and error appended to {@code output} (null: this process's). */
    public static PackagedApp start(Map<String, String> properties, List<String> jvmArgs, Path output) {
        int port = freePort();
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmArgs);
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dquarkus.http.port=" + port);
        command.addAll(List.of(
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
        System.out.println("connmon: " + String.join(" ", command));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
            if (output != null) {
                builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            }
            PackagedApp app = new PackagedApp(builder.start(), port);
            app.awaitReady();
            return app;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a run that is expected to stop by itself printed, and its exit code. */
    public record Exit(int code, String output) {}

    /** Runs the packaged app with these system properties until it exits by itself (at most 60 s). */
    public static Exit runToExit(Map<String, String> properties) {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-Dquarkus.http.port=" + freePort());
        command.addAll(List.of(
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            java.util.concurrent.CompletableFuture<String> output =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return new String(
                                    process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("connmon did not stop within 60 s: " + output.getNow(""));
            }
            return new Exit(process.exitValue(), output.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int httpPort() {
        return httpPort;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    public long pid() {
        return process.pid();
    }

    private void awaitReady() {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("connmon exited with " + process.exitValue());
            }
            try {
                if (HTTP.send(
                                        HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return;
                }
                Thread.sleep(250);
            } catch (IOException notYet) {
                sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("connmon did not become ready within 60 s");
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed (what an out-of-memory killer does). */
    public void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** The status of {@code /q/health/ready}, or -1 when nothing answers. */
    public int readiness() {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready"))
                                    .timeout(java.time.Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A Prometheus metric of the app (summed over its tags), or NaN when it is absent or unreachable. */
    public double metric(String name) {
        String text = metricsText();
        return text == null ? Double.NaN : Api.metricIn(text, name);
    }

    /** The app's Prometheus lines of every series whose name starts with {@code prefix}; none when unreachable. */
    public List<String> metricLines(String prefix) {
        String text = metricsText();
        return text == null
                ? List.of()
                : text.lines().filter(line -> line.startsWith(prefix)).toList();
    }

    private String metricsText() {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create(baseUrl() + "/q/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        process.destroy();
        awaitExit();
    }

    private void awaitExit() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A TCP port nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
