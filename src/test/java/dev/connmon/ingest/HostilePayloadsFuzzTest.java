package dev.connmon.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.dialect.DecodeException;
import dev.connmon.lifecycle.dialect.Dialect;
import dev.connmon.lifecycle.dialect.DialectRegistry;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.Rejection;
import dev.connmon.state.StateRepository;
import dev.connmon.support.HostilePayloads;
import dev.connmon.support.MonitorBacklog;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile payloads for every dialect through the real decode path ({@link MessageDecoder}, which calls the dialect):
 * mutations of real fixture payloads (the brokers' documented messages and captured Mosquitto log lines). Nothing may
 * escape, not even from the dialect into the decoder's safety net; every rejection has a reason and is counted.
 * {@code -Dtest.fuzz.payloads=N} per dialect (the {@code fuzz} profile: 1 000 000), {@code -Dtest.fuzz.seed=S}
 * replays a run.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@Tag("fuzz")
class HostilePayloadsFuzzTest {
    static final int PAYLOADS = Integer.getInteger("test.fuzz.payloads", 20_000);
    static final long SEED = Long.getLong("test.fuzz.seed", System.nanoTime());
    /** One payload may cost this much at most; a backtracking regular expression costs minutes on 64 KiB. */
    static final long MAX_NANOS_PER_PAYLOAD = 2_000_000_000L;

    static final int MAX_PAYLOAD = 65_536;
    /** How many decoded results per dialect are also written to PostgreSQL, which must take every one. */
    static final int STORED = 5_000;

    /** Real payloads per dialect, with the topics they arrive on. */
    static final Map<String, List<Fixture>> FIXTURES = Map.of(
            "connmon",
                    List.of(
                            new Fixture("connmon/events/d:acme:sensor:0042", """
                            {"event": "connected", "clientId": "d:acme:sensor:0042", "time": "2026-11-26T06:00:00.123Z",
                             "initiator": "client", "reasonCode": 0, "reason": "normal", "connectionId": "9f2c",
                             "ipAddress": "192.0.2.10", "port": 51514, "username": "sensor-0042",
                             "protocolVersion": "5.0", "keepAlive": 60, "cleanStart": true, "node": "broker-1",
                             "topic": "sensors/0042/temp"}"""),
                            new Fixture("connmon/events/d:acme:sensor:0042", """
                            {"event": "disconnected", "clientId": "d:acme:sensor:0042", "time": "2026-11-26T06:00:00.123Z",
                             "initiator": "server", "reasonCode": 141, "reason": "Keep Alive timeout",
                             "connectionId": "9f2c", "node": "broker-1"}"""),
                            new Fixture(
                                    "connmon/events/c1",
                                    "{\"event\":\"published\",\"clientId\":\"c1\",\"time\":1795674236000,\"topic\":\"a/b\"}"),
                            new Fixture(
                                    "connmon/events/c1",
                                    "{\"event\":\"connect_failed\",\"clientId\":\"c1\",\"time\":1795674236000,\"reasonCode\":135}")),
            "emqx",
                    List.of(
                            new Fixture(
                                    "$SYS/brokers/emqx@127.0.0.1/clients/emqtt-8348fe27a87976ad4db3/connected", """
                            { "username": "foo", "ts": 1625572213873, "sockport": 1883, "proto_ver": 4, "proto_name": "MQTT",
                              "keepalive": 60, "ipaddress": "127.0.0.1", "expiry_interval": 0, "connected_at": 1625572213873,
                              "connack": 0, "clientid": "emqtt-8348fe27a87976ad4db3", "clean_start": true }"""),
                            new Fixture(
                                    "$SYS/brokers/emqx@127.0.0.1/clients/emqtt-8348fe27a87976ad4db3/disconnected", """
                            { "username": "foo", "ts": 1625572213873, "sockport": 1883, "reason": "tcp_closed", "proto_ver": 4,
                              "proto_name": "MQTT", "ipaddress": "127.0.0.1", "disconnected_at": 1625572213873,
                              "clientid": "emqtt-8348fe27a87976ad4db3" }"""),
                            new Fixture(
                                    "$SYS/brokers/emqx@node1/clients/6b65e4d85f274c6d81560ae190b94534/disconnected",
                                    "{\"ipaddress\":\"172.20.0.1\",\"disconnected_at\":1721206604219,\"sockport\":1883,"
                                            + "\"connected_at\":1721206608572,\"proto_ver\":5,\"proto_name\":\"MQTT\","
                                            + "\"clientid\":\"6b65e4d85f274c6d81560ae190b94534\",\"username\":\"admin\","
                                            + "\"ts\":1721206604219,\"protocol\":\"mqtt\",\"reason\":\"takenover\"}"),
                            new Fixture(
                                    "$SYS/brokers/n1/clients/c1/subscribed",
                                    "{\"username\":\"u\",\"ts\":1625572213900,\"topic\":\"a/b\",\"subopts\":{\"sub_props\":{},"
                                            + "\"rh\":0,\"rap\":0,\"qos\":0,\"nl\":0,\"is_new\":true},\"protocol\":\"mqtt\","
                                            + "\"clientid\":\"c1\"}")),
            "aws",
                    List.of(
                            new Fixture("$aws/events/presence/connected/186b5", """
                            { "clientId": "186b5", "thingName": "exampleThing", "timestamp": 1573002230757,
                              "eventType": "connected", "sessionIdentifier": "00000000-0000-0000-0000-000000000000",
                              "principalIdentifier": "12345678901234567890123456789012", "ipAddress": "192.0.2.0",
                              "versionNumber": 0 }"""),
                            new Fixture("$aws/events/presence/disconnected/186b5", """
                            { "clientId": "186b5", "thingName": "exampleThing", "timestamp": 1573002340451,
                              "eventType": "disconnected", "sessionIdentifier": "00000000-0000-0000-0000-000000000000",
                              "principalIdentifier": "12345678901234567890123456789012", "clientInitiatedDisconnect": true,
                              "disconnectReason": "CLIENT_INITIATED_DISCONNECT", "versionNumber": 0 }"""),
                            new Fixture("$aws/events/presence/connect_failed/186b5", """
                            { "clientId": "186b5", "thingName": "exampleThing", "timestamp": 1460065214626,
                              "eventType": "connect_failed", "connectFailureReason": "AUTHORIZATION_FAILED",
                              "principalIdentifier": "12345678901234567890123456789012",
                              "sessionIdentifier": "00000000-0000-0000-0000-000000000000", "ipAddress" : "192.0.2.0" }"""),
                            new Fixture("$aws/events/subscriptions/subscribed/186b5", """
                            { "clientId": "186b5", "thingName": "exampleThing", "timestamp": 1573002230800,
                              "eventType": "subscribed", "sessionIdentifier": "00000000-0000-0000-0000-000000000000",
                              "principalIdentifier": "12345678901234567890123456789012", "topics": ["foo/bar"] }""")),
            "watson",
                    List.of(
                            new Fixture("iot-2/type/psutil/id/001/mon", """
                            { "ClientAddr": "195.212.29.68", "Protocol": "mqtt-tcp", "ClientID": "d:bcaxk:psutil:001",
                              "User": "use-token-auth", "Time": "2014-07-07T06:37:56.494-04:00", "Action": "Connect",
                              "ConnectTime": "2014-07-07T06:37:56.493-04:00", "Port": 1883 }"""),
                            new Fixture("iot-2/type/psutil/id/001/mon", """
                            { "ClientAddr": "195.212.29.68", "Protocol": "mqtt-tcp", "ClientID": "d:bcaxk:psutil:001",
                              "User": "use-token-auth", "Time": "2014-07-07T06:40:56.494-04:00", "Action": "Disconnect",
                              "ConnectTime": "2014-07-07T06:37:56.493-04:00", "Port": 1883, "WriteMsg": 0, "ReadMsg": 872,
                              "Reason": "The connection has completed normally.", "ReadBytes": 136507, "WriteBytes": 32 }"""),
                            new Fixture("iot-2/app/myserver/mon", """
                            { "Action": "Connect", "Time": "2017-01-20T14:27:13.113Z", "ClientAddr": "198.11.999.999",
                              "ClientID": "a:myorgid:myserver", "Port": 8883, "Secure": true, "Protocol": "mqtt4",
                              "User": "a-maqdpu-jkdhgkjha", "Durable": false }"""),
                            new Fixture("iot-2/app/myserver/mon", """
                            { "Action": "Disconnect", "Time": "2017-01-20T14:27:13.113Z", "ClientAddr": "108.168.999.999",
                              "ClientID": "a:myorgid:myserver", "Port": 8883, "Secure": true, "Protocol": "mqtt4-ws",
                              "User": "a-maqdpu-kjasdkf", "ConnectTime": "2017-01-20T14:27:00.096Z", "ReadBytes": 1331289,
                              "ReadMsg": 1, "WriteBytes": 155084, "WriteMsg": 2 }""")),
            "nanomq",
                    List.of(
                            new Fixture(
                                    "$SYS/brokers/connected",
                                    "{\"username\":\"hello\", \"ts\":1691225605933,"
                                            + "\"proto_name\":\"MQTT\",\"keepalive\":60,\"return_code\":\"0\",\"proto_ver\":4,"
                                            + "\"client_id\":\"nanomq-8a2a5c2e\",\"clean_start\":1, \"IPv4\":\"127.0.0.1\"}"),
                            new Fixture(
                                    "$SYS/brokers/disconnected",
                                    "{\"username\":\"hello\",\"ts\":1691225608391,"
                                            + "\"reason_code\":\"8b\",\"client_id\":\"nanomq-8a2a5c2e\",\"IPv4\":\"127.0.0.1\"}")),
            "mosquitto",
                    List.of(
                            new Fixture(
                                    "$SYS/broker/log/N",
                                    "1795674236: New connection from 127.0.0.1:36324 on port 18830."),
                            new Fixture(
                                    "$SYS/broker/log/N",
                                    "1795674236: New client connected from 127.0.0.1:36324 as c311 (p2, c1, k30)."),
                            new Fixture(
                                    "$SYS/broker/log/N",
                                    "1795674612: New client connected from 127.0.0.1:57290 as "
                                            + "dev 01 (p5, c1, k1) (p5, c1, k60, u'o'neil x')."),
                            new Fixture(
                                    "$SYS/broker/log/N",
                                    "2026-11-26T06:27:02: New client connected from "
                                            + "127.0.0.1:55314 as good311 (p2, c1, k60, u'alice')."),
                            new Fixture("$SYS/broker/log/N", "1795674274: Client r311 disconnected."),
                            new Fixture("$SYS/broker/log/N", "1795674293: Client r311fin closed its connection."),
                            new Fixture(
                                    "$SYS/broker/log/N",
                                    "1795674310: Client ka311 has exceeded timeout, disconnecting."),
                            new Fixture(
                                    "$SYS/broker/log/E",
                                    "1795674365: Client dup already connected, closing old connection."),
                            new Fixture(
                                    "$SYS/broker/log/N", "1795674338: Client g1 disconnected due to protocol error."),
                            new Fixture("$SYS/broker/log/N", "1795674356: Client g7 disconnected: Success."),
                            new Fixture(
                                    "$SYS/broker/log/N",
                                    "2026-11-26T06:26:57: Client <unknown> disconnected, not authorised."),
                            new Fixture(
                                    "$SYS/broker/log/I",
                                    "1795674332: Invalid protocol version 9 in CONNECT from 127.0.0.1."),
                            new Fixture("$SYS/broker/log/M/subscribe", "1795674382: subuns 1 a/+"),
                            new Fixture("$SYS/broker/log/M/unsubscribe", "1795674382: subuns a/+"),
                            new Fixture(
                                    "$SYS/broker/log/N",
                                    "1: Bad socket read/write on client s: Connection reset by peer")));

    record Fixture(String topic, String payload) {
        /** Canonical fixtures name the default prefix; the machine-services run configures one of its own. */
        @Override
        public String topic() {
            String canonical = "connmon/events/";
            return topic.startsWith(canonical)
                    ? TestMqtt.eventTopicPrefix() + topic.substring(canonical.length())
                    : topic;
        }

        byte[] bytes() {
            return payload.getBytes(StandardCharsets.UTF_8);
        }
    }

    @Inject
    MessageDecoder decoder;

    @Inject
    DialectRegistry dialects;

    @Inject
    MeterRegistry metrics;

    @Inject
    StateRepository repository;

    @AfterAll
    static void letTheMonitoringTopicCatchUp() {
        MonitorBacklog.awaitDrained(io.quarkus.arc.Arc.container()
                .instance(io.vertx.mutiny.sqlclient.Pool.class)
                .get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"connmon", "emqx", "aws", "watson", "nanomq", "mosquitto"})
    void hostilePayloadsAreRejectedWithAReasonAndCountedNeverThrown(String dialect) {
        long seed = SEED ^ dialect.hashCode();
        Random random = new Random(seed);
        String replay =
                "replay: -Dtest=HostilePayloadsFuzzTest -Dtest.fuzz.seed=" + SEED + " -Dtest.fuzz.payloads=" + PAYLOADS;
        List<Fixture> fixtures = FIXTURES.get(dialect);
        List<byte[]> originals = fixtures.stream().map(Fixture::bytes).toList();
        double countedBefore = rejectedCount(dialect);
        Map<HostilePayloads.Kind, int[]> byKind = new EnumMap<>(HostilePayloads.Kind.class);
        int rejected = 0;
        int decoded = 0;
        long slowest = 0;
        long started = System.nanoTime();
        List<Decoded> toStore = new ArrayList<>();
        String run = "fuzz-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "-";
        for (int i = 0; i < PAYLOADS; i++) {
            Fixture fixture = fixtures.get(random.nextInt(fixtures.size()));
            HostilePayloads.Mutant mutant = HostilePayloads.mutate(random, fixture.bytes(), originals);
            String topic = fixture.topic();
            // canonical topics depend on the configured prefix: that dialect is always named
            boolean fixed = dialect.equals("connmon") || random.nextBoolean();
            if (fixed && random.nextInt(10) == 0) {
                // a source with a fixed dialect decodes whatever topic it gets
                topic = new String(
                        HostilePayloads.mutate(
                                        random,
                                        topic.getBytes(StandardCharsets.UTF_8),
                                        List.of(topic.getBytes(StandardCharsets.UTF_8)))
                                .payload(),
                        StandardCharsets.UTF_8);
            }
            long t0 = System.nanoTime();
            Decoded result;
            try {
                result = decoder.decode(metadata(fixed ? dialect : null, topic), mutant.payload());
            } catch (Throwable e) {
                throw new AssertionError(
                        "payload " + i + " (" + mutant.kind() + ") escaped with " + e + "; " + replay + "; payload: "
                                + printable(mutant.payload()),
                        e);
            }
            slowest = Math.max(slowest, System.nanoTime() - t0);
            assertThat(System.nanoTime() - t0)
                    .as(
                            "decode time of payload %d (%s, %d bytes); %s",
                            i, mutant.kind(), mutant.payload().length, replay)
                    .isLessThan(MAX_NANOS_PER_PAYLOAD);
            assertThat(result.dialect()).isEqualTo(dialect);
            int[] counts = byKind.computeIfAbsent(mutant.kind(), k -> new int[2]);
            if (result.rejection() != null) {
                rejected++;
                counts[0]++;
                String reason = result.rejection().reason();
                assertThat(reason)
                        .as("reason of payload %d; %s", i, replay)
                        .isNotBlank()
                        // the dialect itself threw: MessageDecoder's safety net is not the way to reject
                        .doesNotStartWith("decoder failed");
                assertThat(result.events()).isEmpty();
                if (mutant.payload().length > MAX_PAYLOAD) {
                    assertThat(reason).contains("exceeds the limit of " + MAX_PAYLOAD);
                }
            } else {
                decoded++;
                counts[1]++;
                assertThat(mutant.payload().length).isLessThanOrEqualTo(MAX_PAYLOAD);
            }
            if (i < STORED) {
                toStore.add(result);
            }
        }
        store(run, toStore, replay);
        double seconds = (System.nanoTime() - started) / 1e9;
        assertThat(rejectedCount(dialect) - countedBefore)
                .as("rejections counted; %s", replay)
                .isEqualTo(rejected);
        // reasons are metric tags: hostile text must not reach them, or every payload makes a new time series
        assertThat(reasonTags(dialect)).as("reason tags of %s", dialect).hasSizeLessThan(40);
        StringBuilder kinds = new StringBuilder();
        byKind.forEach((kind, c) -> kinds.append(String.format(" %s=%d/%d", kind, c[0], c[1])));
        Log.infof(
                "Fuzz %s: %d payloads (seed %d) in %.1f s: %d rejected, %d decoded, 0 escaped; slowest %.1f ms; "
                        + "rejected/decoded by kind:%s",
                dialect, PAYLOADS, SEED, seconds, rejected, decoded, slowest / 1e6, kinds);
        assertThat(rejected).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {"connmon", "emqx", "aws", "watson", "nanomq", "mosquitto"})
    void benignVariantsOfRealPayloadsStillDecode(String dialect) {
        Random random = new Random(SEED ^ dialect.hashCode());
        for (int i = 0; i < Math.min(PAYLOADS, 5_000); i++) {
            for (Fixture fixture : FIXTURES.get(dialect)) {
                byte[] payload = HostilePayloads.benign(random, fixture.bytes());
                Decoded result = decoder.decode(metadata(null, fixture.topic()), payload);
                assertThat(result.rejection())
                        .as("%s: %s (seed %d)", dialect, printable(payload), SEED)
                        .isNull();
            }
        }
    }

    @Test
    void oversizedPayloadsAreRefusedBeforeTheyAreParsed() throws DecodeException {
        Dialect connmon = dialects.byName("connmon").orElseThrow();
        String topic = TestMqtt.eventTopicPrefix() + "big";
        byte[] big = ("{\"event\":\"connected\",\"clientId\":\"big\",\"time\":\"2026-11-26T06:00:00Z\",\"padding\":\""
                        + "p".repeat(MAX_PAYLOAD) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        // the dialect alone would take it: it is a valid event
        assertThat(connmon.decode(topic, big)).hasSize(1);
        double before = rejectedCount("connmon");
        Decoded result = decoder.decode(metadata(null, topic), big);
        assertThat(result.events()).isEmpty();
        assertThat(result.rejection().reason())
                .isEqualTo("payload of " + big.length + " bytes exceeds the limit of " + MAX_PAYLOAD);
        assertThat(result.rejection().payloadSize()).isEqualTo(big.length);
        assertThat(result.rejection().payload()).hasSize(MessageDecoder.MAX_STORED_PAYLOAD);
        assertThat(rejectedCount("connmon") - before).isEqualTo(1.0);
        // 16 MiB that a parser would choke on (unclosed nesting) is refused as fast, by its size alone
        byte[] huge = "[".repeat(16 << 20).getBytes(StandardCharsets.US_ASCII);
        long t0 = System.nanoTime();
        Decoded hugeResult = decoder.decode(metadata(null, topic), huge);
        assertThat(System.nanoTime() - t0).isLessThan(1_000_000_000L);
        assertThat(hugeResult.rejection().reason()).contains("exceeds the limit");
    }

    /**
     * Lines shaped to make Mosquitto's anchored patterns backtrack: many candidate splits for the address, the
     * client id and the user name. No Mosquitto broker writes such a line (it cuts log lines at format + 500 bytes).
     */
    @Test
    void mosquittoLinesBuiltToBacktrackAreRejectedQuickly() {
        List<String> bombs = List.of(
                "1: New client connected from " + "1:1 as (p1, c1, k1, u'".repeat(2900) + ")",
                "1: New client connected from " + "1:1 as x (p1, c1, k1".repeat(3200),
                "1: Client " + " disconnected due to x".repeat(2900),
                "1: " + "x 1 ".repeat(16000),
                "1: New client connected from 1:1 as " + "a (p1, c1, k1, u'".repeat(3500) + "').");
        for (String bomb : bombs) {
            long t0 = System.nanoTime();
            Decoded result =
                    decoder.decode(metadata("mosquitto", "$SYS/broker/log/N"), bomb.getBytes(StandardCharsets.UTF_8));
            assertThat(System.nanoTime() - t0).as("%d-byte line", bomb.length()).isLessThan(500_000_000L);
            assertThat(result.rejection()).isNotNull();
        }
    }

    /**
     * Writes what the decoder made of hostile payloads (events under client ids of this run, and the rejections)
     * through {@link StateRepository#apply}: whatever a decoder lets through, the database must take. A refusal
     * would fail a whole batch of good events and cost a split to find the one it refuses.
     */
    private void store(String run, List<Decoded> results, String replay) {
        for (int from = 0; from < results.size(); from += 500) {
            List<LifecycleEvent> events = new ArrayList<>();
            List<Rejection> rejections = new ArrayList<>();
            for (Decoded result : results.subList(from, Math.min(results.size(), from + 500))) {
                for (LifecycleEvent e : result.events()) {
                    if (e.type() != dev.connmon.lifecycle.EventType.BROKER_STOPPED) {
                        events.add(new LifecycleEvent(
                                e.type(),
                                run + e.clientId(),
                                e.time(),
                                e.initiator(),
                                e.reasonCode(),
                                e.reason(),
                                e.connectionId(),
                                e.ipAddress(),
                                e.port(),
                                e.username(),
                                e.protocolVersion(),
                                e.keepAlive(),
                                e.cleanStart(),
                                e.node(),
                                e.topic(),
                                e.dialect(),
                                e.source()));
                    }
                }
                if (result.rejection() != null) {
                    rejections.add(result.rejection());
                }
            }
            try {
                repository.apply(new IngestBatch(events, rejections)).await().atMost(java.time.Duration.ofMinutes(1));
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "PostgreSQL refused decoded hostile payloads " + from + ".." + (from + 499) + ": "
                                + e.getMessage() + "; " + replay,
                        e);
            }
        }
    }

    private static LifecycleMessageMetadata metadata(String dialect, String topic) {
        return new LifecycleMessageMetadata("fuzz", dialect, "connmon", topic, 1, false, Instant.now());
    }

    private double rejectedCount(String dialect) {
        return metrics.find("connmon.messages.rejected").tag("dialect", dialect).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private Set<String> reasonTags(String dialect) {
        Set<String> tags = new TreeSet<>();
        metrics.find("connmon.messages.rejected")
                .tag("dialect", dialect)
                .counters()
                .forEach(c -> tags.add(c.getId().getTag("reason")));
        return tags;
    }

    private static String printable(byte[] payload) {
        String text = new String(payload, 0, Math.min(payload.length, 300), StandardCharsets.UTF_8);
        return text.replace("\u0000", "\\0") + (payload.length > 300 ? "… (" + payload.length + " bytes)" : "");
    }
}
