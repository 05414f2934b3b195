package dev.connmon.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The embedded broker node of this JVM: its name (the {@code node} of every client connected through it) and when
 * it started. The name tells the instances that share a database apart, so that each ends only its own clients'
 * connections when it stops or after it crashed ({@link EmbeddedNodeGuard}).
 */
record EmbeddedNode(String name, Instant startedAt) {
    static final String NAME_FILE = "node-name";
    static final int MAX_NAME_LENGTH = 200;

    /** Set by EmbeddedMain only; system properties, because dev mode runs each reload in a class loader of its own. */
    private static final String NAME_PROPERTY = "connmon.embedded.running-node";

    private static final String STARTED_PROPERTY = "connmon.embedded.running-since";

    /** The embedded broker EmbeddedMain started in this JVM, or null (an external broker, or a test's own broker). */
    static EmbeddedNode running() {
        String name = System.getProperty(NAME_PROPERTY);
        String since = System.getProperty(STARTED_PROPERTY);
        return name == null || since == null ? null : new EmbeddedNode(name, Instant.parse(since));
    }

    static void running(EmbeddedNode node) {
        System.setProperty(NAME_PROPERTY, node.name());
        System.setProperty(STARTED_PROPERTY, node.startedAt().toString());
    }

    /**
     * {@code connmon.embedded.node} when set; otherwise the name kept in the data directory, made at the first start
     * on it as host name and broker port ({@code gateway-7:1883}). Kept there because the data directory is what
     * the broker node is: its sessions and retained messages live in it, and two running instances cannot share one.
     * So the name stays when the host is renamed or the port changes, and differs between instances.
     */
    static String name(Optional<String> configured, Path dataDir, int brokerPort) {
        if (configured.isPresent()) {
            return checked(configured.get(), "connmon.embedded.node");
        }
        Path file = dataDir.resolve(NAME_FILE);
        try {
            if (Files.isReadable(file)) {
                return checked(Files.readString(file, StandardCharsets.UTF_8).strip(), file.toString());
            }
            String name = hostName() + ":" + brokerPort;
            Files.createDirectories(dataDir);
            Files.writeString(file, name + "\n", StandardCharsets.UTF_8);
            return name;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String checked(String name, String from) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalStateException("the embedded node name from " + from + " must be 1 to " + MAX_NAME_LENGTH
                    + " characters without control characters");
        }
        return name;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
