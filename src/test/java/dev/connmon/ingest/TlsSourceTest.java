package dev.connmon.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.connmon.config.ConnmonConfig;
import dev.connmon.support.PackagedApp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real TLS handshake with a Mosquitto of the test's own: connmon's source trusts the CA it is given and, by default,
 * also requires the broker's certificate to name the host it connects to. Two listeners, both with certificates
 * from the test's CA: one issued for 127.0.0.1, one for another host. Needs the {@code mosquitto} and
 * {@code openssl} binaries (Debian's packages), hence the machine-services suite.
 */
@Tag("machine-services")
class TlsSourceTest {
    private static Path dir;
    private static Process mosquitto;
    private static int rightName;
    private static int wrongName;
    private static Vertx vertx;

    @BeforeAll
    static void startBroker() throws Exception {
        dir = Files.createTempDirectory("connmon-tls");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=connmon-test-ca");
        certificate("right", "IP:127.0.0.1");
        certificate("wrong", "DNS:broker.connmon.invalid");
        rightName = PackagedApp.freePort();
        wrongName = PackagedApp.freePort();
        Files.writeString(dir.resolve("mosquitto.conf"), """
                # as root, Mosquitto would switch to its own user, which cannot read this temporary directory
                user root
                allow_anonymous true
                listener %d 127.0.0.1
                cafile %3$s/ca.pem
                certfile %3$s/right.pem
                keyfile %3$s/right.key
                listener %2$d 127.0.0.1
                cafile %3$s/ca.pem
                certfile %3$s/wrong.pem
                keyfile %3$s/wrong.key
                """.formatted(rightName, wrongName, dir));
        mosquitto = new ProcessBuilder(
                        "mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile())
                .start();
        await().atMost(Duration.ofSeconds(10)).until(() -> listening(rightName) && listening(wrongName));
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
        if (mosquitto != null) {
            mosquitto.destroy();
            mosquitto.waitFor();
        }
    }

    @Test
    void aCertificateForTheHostConnmonConnectsToIsAccepted() {
        try (Connection connection = connect(rightName, "HTTPS")) {
            await().atMost(Duration.ofSeconds(10)).until(connection.source::isConnected);
        }
    }

    @Test
    void aCertificateFromTheTrustedCaForAnotherHostIsRefusedByDefault() {
        try (Connection connection = connect(wrongName, null)) {
            await().during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(4))
                    .until(() -> !connection.source.isConnected());
            assertThat(connection.source.status()).contains("unreachable");
        }
    }

    @Test
    void hostnameVerificationNoneAcceptsItAsBefore() {
        try (Connection connection = connect(wrongName, "none")) {
            await().atMost(Duration.ofSeconds(10)).until(connection.source::isConnected);
        }
    }

    @Test
    void anUnknownVerificationIsAClearConfigurationError() {
        assertThatThrownBy(() -> settings(wrongName, "SOMETIMES"))
                .isInstanceOf(io.smallrye.config.ConfigValidationException.class)
                .hasMessageContaining("connmon.sources.tls.hostname-verification")
                .hasMessageContaining("SOMETIMES")
                .hasMessageContaining("allowed values: https,none,ldaps");
    }

    private static Connection connect(int port, String verification) {
        MqttLifecycleSource source = new MqttLifecycleSource(
                vertx, settings(port, verification), (name, since) -> {}, new SimpleMeterRegistry());
        Cancellable subscription = source.messages().subscribe().with(message -> {});
        return new Connection(source, subscription);
    }

    /** The settings connmon.sources.tls.* would give. */
    private static MqttSourceSettings settings(int port, String verification) {
        Map<String, String> values = new HashMap<>(Map.of(
                "host",
                "127.0.0.1",
                "port",
                Integer.toString(port),
                "topics",
                "connmon/events/#",
                "ssl",
                "true",
                "ca-file",
                dir.resolve("ca.pem").toString(),
                "client-id",
                "connmon-tls-" + UUID.randomUUID()));
        if (verification != null) {
            values.put("hostname-verification", verification);
        }
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(ConnmonConfig.class)
                .withSources(new PropertiesConfigSource(withRequired(prefixed(values)), "test", 100))
                .build();
        List<MqttSourceSettings> sources = MqttSourceSettings.sources(
                config.getConfigMapping(ConnmonConfig.class).sources());
        assertThat(sources).hasSize(1);
        return sources.get(0);
    }

    /** What the packaged application.properties gives every configuration: the keys ConnmonConfig requires. */
    private static Map<String, String> withRequired(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(values);
        all.put("connmon.tokens.signing-key", "unused-signing.pem");
        all.put("connmon.tokens.verification-key", "unused-verification.pem");
        return all;
    }

    private static Map<String, String> prefixed(Map<String, String> values) {
        Map<String, String> prefixed = new HashMap<>();
        values.forEach((key, value) -> prefixed.put("connmon.sources.tls." + key, value));
        return prefixed;
    }

    private record Connection(MqttLifecycleSource source, Cancellable subscription) implements AutoCloseable {
        @Override
        public void close() {
            subscription.cancel();
            source.close();
        }
    }

    private static void certificate(String name, String subjectAltName) throws Exception {
        Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + subjectAltName + "\n");
        openssl(
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".csr",
                "-subj",
                "/CN=" + name);
        openssl(
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                name + ".pem",
                "-days",
                "2",
                "-extfile",
                name + ".ext");
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + output);
        }
    }

    private static boolean listening(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
