package dev.connmon.lifecycle.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every Mosquitto 2 lifecycle log line captured from a real broker, decoded. */
class MosquittoDialectTest {
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final MosquittoDialect dialect = new MosquittoDialect(metrics);

    private List<LifecycleEvent> line(String level, String payload) throws DecodeException {
        return dialect.decode("mosq", "$SYS/broker/log/" + level, payload.getBytes(StandardCharsets.UTF_8));
    }

    private LifecycleEvent one(String level, String payload) throws DecodeException {
        List<LifecycleEvent> events = line(level, payload);
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    @Test
    void connectLines() throws Exception {
        assertThat(line("N", "1795674236: New connection from 127.0.0.1:36324 on port 18830."))
                .isEmpty();
        LifecycleEvent c = one("N", "1795674236: New client connected from 127.0.0.1:36324 as c311 (p2, c1, k30).");
        assertThat(c.type()).isEqualTo(EventType.CONNECTED);
        assertThat(c.clientId()).isEqualTo("c311");
        assertThat(c.time()).isEqualTo(Instant.ofEpochSecond(1795674236));
        assertThat(c.protocolVersion()).isEqualTo("3.1.1");
        assertThat(c.keepAlive()).isEqualTo(30);
        assertThat(c.cleanStart()).isTrue();
        assertThat(c.ipAddress()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(36324);
        LifecycleEvent v5 =
                one("N", "1795674264: New client connected from 127.0.0.1:53172 as c5 (p5, c1, k45, u'alice').");
        assertThat(v5.protocolVersion()).isEqualTo("5.0");
        assertThat(v5.username()).isEqualTo("alice");
        assertThat(one("N", "1795674268: New client connected from 127.0.0.1:55826 as c31 (p1, c0, k60).")
                        .protocolVersion())
                .isEqualTo("3.1");
        LifecycleEvent torture = one(
                "N",
                "1795674612: New client connected from 127.0.0.1:57290 as dev 01 (p5, c1, k1) "
                        + "(p5, c1, k60, u'o'neil x').");
        assertThat(torture.clientId()).isEqualTo("dev 01 (p5, c1, k1)");
        assertThat(torture.username()).isEqualTo("o'neil x");
        assertThat(torture.keepAlive()).isEqualTo(60);
        LifecycleEvent iso = one(
                "N",
                "2026-11-26T06:27:02: New client connected from 127.0.0.1:55314 as good311 (p2, c1, k60, u'alice').");
        assertThat(iso.time()).isEqualTo(Instant.parse("2026-11-26T06:27:02Z"));
        assertThat(one("N", "New client connected from 127.0.0.1:1 as plain (p2, c1, k60).")
                        .clientId())
                .isEqualTo("plain");
        // an id that holds ":<port> as " is not taken for the address (addresses have no spaces)
        LifecycleEvent tricky = one("N", "1: New client connected from 127.0.0.1:5 as a:6 as b (p2, c1, k60).");
        assertThat(tricky.clientId()).isEqualTo("a:6 as b");
        assertThat(tricky.port()).isEqualTo(5);
    }

    @Test
    void disconnectLinesEndTheConnectionTheyBelongTo() throws Exception {
        LifecycleEvent c = one("N", "100: New client connected from 127.0.0.1:1 as r311 (p2, c1, k60).");
        LifecycleEvent d = one("N", "101: Client r311 disconnected.");
        assertThat(d.initiator()).isEqualTo(Initiator.CLIENT);
        assertThat(d.reasonCode()).isNull();
        assertThat(d.connectionId()).isEqualTo(c.connectionId()).isNotNull();
        assertThat(one("N", "1: Client r311fin closed its connection.").initiator())
                .isEqualTo(Initiator.NETWORK);
        LifecycleEvent errno = one("N", "1: Client g7 disconnected: Success.");
        assertThat(errno.initiator()).isEqualTo(Initiator.NETWORK);
        assertThat(errno.reason()).isEqualTo("Connection lost: Success");
        LifecycleEvent ka = one("N", "1795674310: Client ka311 has exceeded timeout, disconnecting.");
        assertThat(ka.initiator()).isEqualTo(Initiator.SERVER);
        assertThat(ka.reasonCode()).isEqualTo(0x8D);
        assertThat(one("N", "1: Client g1 disconnected due to protocol error.").reasonCode())
                .isEqualTo(0x82);
        assertThat(one("N", "1: Client g5 disconnected due to malformed packet.")
                        .reasonCode())
                .isEqualTo(0x81);
        assertThat(one("N", "1: Client big disconnected due to oversize packet.")
                        .reasonCode())
                .isEqualTo(0x95);
        assertThat(one("N", "1: Client q disconnected due to QoS too high or retain not supported.")
                        .reasonCode())
                .isEqualTo(0x9B);
        assertThat(one("N", "1: Client m disconnected due to out of memory.").reasonCode())
                .isEqualTo(0x97);
        assertThat(one("N", "1: Client a been disconnected by administrative action.")
                        .reasonCode())
                .isEqualTo(0x98);
        assertThat(one("N", "1: Bad socket read/write on client s: Connection reset by peer")
                        .initiator())
                .isEqualTo(Initiator.NETWORK);
    }

    @Test
    void takeoverEndsTheOldConnectionNotTheNewOne() throws Exception {
        LifecycleEvent old = one("N", "1795674365: New client connected from 127.0.0.1:49000 as dup (p2, c1, k60).");
        assertThat(line("N", "1795674365: New connection from 127.0.0.1:49522 on port 18830."))
                .isEmpty();
        LifecycleEvent takeover = one("E", "1795674365: Client dup already connected, closing old connection.");
        LifecycleEvent fresh = one("N", "1795674365: New client connected from 127.0.0.1:49522 as dup (p5, c1, k60).");
        assertThat(takeover.initiator()).isEqualTo(Initiator.SERVER);
        assertThat(takeover.reasonCode()).isEqualTo(0x8E);
        assertThat(takeover.connectionId()).isEqualTo(old.connectionId());
        assertThat(fresh.connectionId()).isNotEqualTo(old.connectionId());
        assertThat(fresh.time()).isEqualTo(takeover.time());
    }

    @Test
    void terminatingStopsTheBrokerOfItsSourceOnly() throws Exception {
        LifecycleEvent here = one("N", "100: New client connected from 127.0.0.1:1 as stay (p2, c1, k60).");
        LifecycleEvent elsewhere = dialect.decode(
                        "other",
                        "$SYS/broker/log/N",
                        "100: New client connected from 127.0.0.1:2 as stay (p2, c1, k60)."
                                .getBytes(StandardCharsets.UTF_8))
                .get(0);

        LifecycleEvent stop = one("I", "1795674398: mosquitto version 2.0.11 terminating");

        assertThat(stop.type()).isEqualTo(EventType.BROKER_STOPPED);
        assertThat(stop.time()).isEqualTo(Instant.ofEpochSecond(1795674398));
        assertThat(stop.dialect()).isEqualTo(MosquittoDialect.NAME);
        // the stopped broker's connections are gone: a late line about one of them must not name the dead connection
        assertThat(one("N", "1795674399: Client stay disconnected.").connectionId())
                .isNull();
        LifecycleEvent otherEnd = dialect.decode(
                        "other",
                        "$SYS/broker/log/N",
                        "1795674399: Client stay disconnected.".getBytes(StandardCharsets.UTF_8))
                .get(0);
        assertThat(otherEnd.connectionId()).isEqualTo(elsewhere.connectionId()).isNotEqualTo(here.connectionId());
        assertThat(line("I", "1795674236: mosquitto version 2.0.11 running")).isEmpty();
        assertThat(line("I", "1795674236: mosquitto version 2.0.11 starting")).isEmpty();
    }

    @Test
    void failuresWithoutAClientIdAreCountedNotStored() throws Exception {
        assertThat(line("N", "2026-11-26T06:26:57: Client <unknown> disconnected, not authorised."))
                .isEmpty();
        assertThat(line("N", "1795674329: Client <unknown> disconnected due to protocol error."))
                .isEmpty();
        assertThat(line("I", "1795674332: Invalid protocol version 9 in CONNECT from 127.0.0.1."))
                .isEmpty();
        assertThat(line("N", "1795674576: Client <unknown> closed its connection."))
                .isEmpty();
        assertThat(metrics.counter("connmon.mosquitto.unattributed", "kind", "not_authorised")
                        .count())
                .isEqualTo(1);
        assertThat(metrics.counter("connmon.mosquitto.unattributed", "kind", "protocol_error")
                        .count())
                .isEqualTo(1);
        assertThat(metrics.counter("connmon.mosquitto.unattributed", "kind", "invalid_protocol")
                        .count())
                .isEqualTo(1);
        LifecycleEvent named = one("N", "1: Client known disconnected, not authorised.");
        assertThat(named.type()).isEqualTo(EventType.CONNECT_FAILED);
        assertThat(named.reasonCode()).isEqualTo(0x87);
    }

    @Test
    void subscriptionsAndOtherLines() throws Exception {
        LifecycleEvent sub = one("M/subscribe", "1795674382: subuns 2 b/#");
        assertThat(sub.type()).isEqualTo(EventType.SUBSCRIBED);
        assertThat(sub.clientId()).isEqualTo("subuns");
        assertThat(sub.topic()).isEqualTo("b/#");
        LifecycleEvent unsub = one("M/unsubscribe", "1795674382: subuns a/+");
        assertThat(unsub.type()).isEqualTo(EventType.UNSUBSCRIBED);
        assertThat(unsub.topic()).isEqualTo("a/+");
        assertThat(line("N", "1: Bad client g2 sending multiple CONNECT messages."))
                .isEmpty();
        assertThat(line("N", "1795674590: Expiring client sess3 due to timeout."))
                .isEmpty();
        assertThat(line("N", "1: Opening ipv4 listen socket on port 1883.")).isEmpty();
    }
}
