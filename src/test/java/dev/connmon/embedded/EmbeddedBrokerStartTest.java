package dev.connmon.embedded;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The embedded broker's refusals at start: each one clear line, before anything is started. */
@Tag("embedded-broker")
class EmbeddedBrokerStartTest {

    private static BrokerSettings settings(String host, int port, boolean anonymous) throws Exception {
        return new BrokerSettings(
                host,
                port,
                anonymous,
                Map.of(),
                "connmon-system",
                "pw",
                "connmon/events/",
                "embedded",
                Files.createTempDirectory("broker-start"));
    }

    @Test
    void takenPortIsOneClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            EmbeddedBroker broker = new EmbeddedBroker(settings("127.0.0.1", taken.getLocalPort(), true));
            assertThatThrownBy(broker::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith(
                            "the embedded MQTT broker cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("connmon.embedded.broker-port")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void anonymousAccessBeyondLoopbackIsRefused() throws Exception {
        EmbeddedBroker broker = new EmbeddedBroker(settings("0.0.0.0", 0, true));
        assertThatThrownBy(broker::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("anonymous access on")
                .hasMessageContaining("connmon.embedded.anonymous=false");
    }
}
