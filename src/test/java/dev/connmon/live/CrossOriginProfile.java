package dev.connmon.live;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * CORS allowed for one origin, {@code http://localhost:<PAGE_PORT>}, where the tests serve their page, and the
 * access log on (docs/api.md §12).
 */
public class CrossOriginProfile implements QuarkusTestProfile {
    static final int PAGE_PORT = freePort();
    static final String ALLOWED_ORIGIN = "http://localhost:" + PAGE_PORT;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.http.cors.enabled",
                "true",
                "quarkus.http.cors.origins",
                ALLOWED_ORIGIN,
                "quarkus.http.access-log.enabled",
                "true");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
