package dev.connmon.embedded;

import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.sun.management.OperatingSystemMXBean;
import dev.connmon.lifecycle.ClientIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** HiveMQ Community Edition, in process, speaking MQTT 3.1.1 and 5, with connmon's lifecycle extension. */
public final class EmbeddedBroker implements AutoCloseable {
    private static final long PAYLOAD_MEMTABLES_BYTES = 64L << 20;
    private static final long PAYLOAD_BLOCK_CACHE_BYTES = 32L << 20;

    private final BrokerSettings settings;
    private EmbeddedHiveMQ hiveMq;
    private LifecycleExtension extension;

    public EmbeddedBroker(BrokerSettings settings) {
        this.settings = settings;
    }

    /**
     * Refuses what the broker could not do, with one clear line: anonymous access beyond the loopback interface, a
     * port already taken. Quick, so that it can run before the broker starts elsewhere.
     */
    public EmbeddedBroker check() {
        if (settings.anonymous() && !isLoopback(settings.host())) {
            throw new IllegalStateException("the embedded broker refuses to listen on " + settings.host()
                    + " with anonymous access on: set connmon.embedded.anonymous=false and connmon.embedded.users.<name>,"
                    + " or keep connmon.embedded.broker-host on the loopback interface");
        }
        ensurePortFree(settings.host(), settings.port());
        return this;
    }

    /** Starts the broker (after {@link #check()}); returns once it listens. */
    public EmbeddedBroker start() {
        check();
        EmbeddedLogging.useLogback();
        // The broker-wide cap on unacknowledged messages per connection (HiveMQ has no setting for it, only this
        // field): a connection's own receive maximum can lower it, never raise it. Raised so that connmon's
        // connection can have full batches in flight; devices keep HiveMQ's 50 through their receive maximum
        // (Authenticator).
        InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = Authenticator.SYSTEM_RECEIVE_MAXIMUM;
        limitPayloadStoreMemory();
        try {
            Path root = settings.dataDir();
            PersistenceBuckets.use(root.resolve("data"));
            Path conf = Files.createDirectories(root.resolve("conf"));
            Path data = Files.createDirectories(root.resolve("data"));
            Path extensions = Files.createDirectories(root.resolve("extensions"));
            Files.writeString(conf.resolve("config.xml"), configXml());
            extension = new LifecycleExtension(settings);
            hiveMq = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(conf)
                    .withDataFolder(data)
                    .withExtensionsFolder(extensions)
                    .withEmbeddedExtension(EmbeddedExtension.builder()
                            .withId("connmon-lifecycle")
                            .withName("connmon lifecycle events")
                            .withVersion("1")
                            .withPriority(1000)
                            .withStartPriority(1000)
                            .withExtensionMain(extension)
                            .build())
                    // logback is configured already (EmbeddedLogging); HiveMQ's own bootstrap would reconfigure it
                    // and redirect JUL, and so Quarkus' log, to it while Quarkus starts beside the broker
                    .withoutLoggingBootstrap()
                    .build();
            hiveMq.start().join();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The broker publishes no more lifecycle events: connmon has recorded every connection through it as ended
     * (EmbeddedNodeGuard); connects and ends after that, up to and while the broker goes down, would come later and
     * without the reason.
     */
    void seal() {
        if (extension != null) {
            extension.seal();
        }
    }

    @Override
    public void close() {
        seal();
        if (hiveMq != null) {
            try {
                hiveMq.stop().join();
                hiveMq.close();
            } catch (Exception e) {
                // shutting down anyway; nothing a caller could do
            }
        }
    }

    static void ensurePortFree(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("the embedded MQTT broker cannot listen on " + host + ":" + port
                    + " (" + e.getMessage() + "): set connmon.embedded.broker-port to a free port,"
                    + " or connmon.mqtt.host to use an existing broker");
        }
    }

    /**
     * HiveMQ sizes the RocksDB store of message payloads (mostly the retained monitoring states, one per client)
     * from the machine's physical memory: memtables RAM/32 and block cache RAM/64, 1.1 GB of native memory on a
     * 24 GiB machine, outside any -Xmx. Capped here at 64 MB and 32 MB; the portions only grow, never shrink
     * below HiveMQ's own on a small machine.
     */
    private static void limitPayloadStoreMemory() {
        long physical = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        InternalConfigurations.PAYLOAD_PERSISTENCE_MEMTABLE_SIZE_PORTION.accumulateAndGet(
                (int) Math.min(Integer.MAX_VALUE, physical / PAYLOAD_MEMTABLES_BYTES), Math::max);
        InternalConfigurations.PAYLOAD_PERSISTENCE_BLOCK_CACHE_SIZE_PORTION.accumulateAndGet(
                (int) Math.min(Integer.MAX_VALUE, physical / PAYLOAD_BLOCK_CACHE_BYTES), Math::max);
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private String configXml() {
        return """
                <?xml version="1.0"?>
                <hivemq>
                  <listeners>
                    <tcp-listener>
                      <port>%d</port>
                      <bind-address>%s</bind-address>
                    </tcp-listener>
                  </listeners>
                  <mqtt><packets><max-packet-size>%d</max-packet-size></packets></mqtt>
                  <persistence><mode>file</mode></persistence>
                  <restrictions><max-client-id-length>%d</max-client-id-length></restrictions>
                  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
                </hivemq>
                """.formatted(
                        settings.port(),
                        settings.host(),
                        settings.maxPacketSize(),
                        // HiveMQ counts characters; Authenticator refuses what is still over ClientIds' byte limit
                        ClientIds.MAX_UTF8_BYTES);
    }
}
