package dev.connmon.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.microprofile.config.ConfigProvider;

/** A Server-Sent Events subscriber for tests: collects events (and comments) as they arrive. */
public final class SseClient implements AutoCloseable {
    /** One event: its id, name and data; comments have name ":" and the comment as data. */
    public record Event(String id, String name, String data) {}

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile java.io.InputStream body;

    private SseClient(String url, String credentials, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "text/event-stream")
                .header(
                        "Authorization",
                        "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        headers.forEach(request::header);
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        reader = new Thread(
                () -> {
                    try {
                        HttpResponse<java.io.InputStream> response =
                                http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                        body = response.body();
                        read(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8)));
                    } catch (IOException | InterruptedException e) {
                        // closed
                    }
                },
                "sse-test-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** A stream of the application under test, as the test profile's reader. */
    public static SseClient open(String pathAndQuery) {
        return open(pathAndQuery, Map.of());
    }

    public static SseClient open(String pathAndQuery, Map<String, String> headers) {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return new SseClient("http://localhost:" + port + pathAndQuery, "test-reader:reader-token", headers);
    }

    /** A stream of any connmon, with the given {@code key:token}. */
    public static SseClient openUrl(String url, String credentials) {
        return new SseClient(url, credentials, Map.of());
    }

    /**
     * The status a stream request of the application under test gets, read without its body, so that a stream let
     * through by mistake fails the caller instead of holding it forever; credentials {@code key:token} or null.
     */
    public static int status(String pathAndQuery, String credentials) {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery))
                .header("Accept", "text/event-stream");
        if (credentials != null) {
            request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            HttpResponse<java.io.InputStream> response =
                    HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            return response.statusCode();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read(BufferedReader lines) throws IOException {
        String id = null;
        String name = null;
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.isEmpty()) {
                if (name != null || data.length() > 0) {
                    events.add(new Event(id, name == null ? "message" : name, data.toString()));
                }
                id = null;
                name = null;
                data.setLength(0);
            } else if (line.startsWith(":")) {
                events.add(new Event(null, ":", line.substring(1).trim()));
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5));
            }
        }
    }

    public List<Event> events() {
        return new ArrayList<>(events);
    }

    /** Events named {@code name}, in arrival order. */
    public List<Event> named(String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    @Override
    public void close() {
        try {
            if (body != null) {
                body.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        reader.interrupt();
    }
}
