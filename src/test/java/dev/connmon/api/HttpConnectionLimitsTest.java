package dev.connmon.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Connections that send nothing are closed after the idle timeout, and no more than the connection limit are open at
 * once (docs/operations.md "HTTP connections"); this profile shortens both so that the test is quick.
 */
@Tag("long")
@QuarkusTest
@TestProfile(HttpConnectionLimitsTest.ShortLimits.class)
@QuarkusTestResource(ServicesResource.class)
class HttpConnectionLimitsTest {
    private static final int MAX_CONNECTIONS = 4;
    private static final byte[] LIVE_REQUEST = "GET /q/health/live HTTP/1.1\r\nHost: localhost\r\n\r\n"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public static class ShortLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.http.idle-timeout",
                    "2S",
                    "quarkus.http.limits.max-connections",
                    Integer.toString(MAX_CONNECTIONS));
        }
    }

    private static Socket open() throws IOException {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(15_000);
        return socket;
    }

    /** Reads until the server closes the connection; how long that took. */
    private static Duration untilClosed(Socket socket) throws IOException {
        long start = System.nanoTime();
        InputStream in = socket.getInputStream();
        while (in.read() != -1) {
            // nothing is expected before the close
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** Reads one response's status line and headers, leaving the connection open. */
    private static String responseHead(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        int c;
        while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) != -1) {
            head.append((char) c);
        }
        return head.toString();
    }

    @Test
    void theDefaultsBoundIdleConnectionsAndTheirNumber() throws IOException {
        Properties packaged = new Properties();
        try (InputStream in = HttpConnectionLimitsTest.class.getResourceAsStream("/application.properties")) {
            packaged.load(in);
        }
        assertThat(Duration.parse("PT" + packaged.getProperty("quarkus.http.idle-timeout", "30M")))
                .isLessThanOrEqualTo(Duration.ofMinutes(2));
        assertThat(Integer.parseInt(packaged.getProperty("quarkus.http.limits.max-connections", "0")))
                .isBetween(100, 10_000);
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        try (Socket idle = open()) {
            assertThat(untilClosed(idle)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(10));
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAtOnceAndTheApiServesAgainAfter() throws IOException {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                Socket socket = open();
                held.add(socket);
                socket.getOutputStream().write(LIVE_REQUEST);
                // answered, so the server has counted it before the next one arrives (accepting is asynchronous)
                assertThat(responseHead(socket)).startsWith("HTTP/1.1 200");
            }
            try (Socket oneTooMany = open()) {
                // the server counts a connection once it reads from it
                oneTooMany.getOutputStream().write(LIVE_REQUEST);
                assertThat(untilClosed(oneTooMany)).isLessThan(Duration.ofSeconds(1));
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
