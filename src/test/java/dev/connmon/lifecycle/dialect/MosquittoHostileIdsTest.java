package dev.connmon.lifecycle.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.Initiator;
import dev.connmon.lifecycle.LifecycleEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Client ids written to be read as another client's in Mosquitto's log lines (docs/api.md §1): each connects beside
 * a victim whose id it contains, then ends its connection in each of the ways Mosquitto logs. The end must be the
 * attacker's, and the victim's connection must stay open.
 */
class MosquittoHostileIdsTest {
    static final String VICTIM = "mq-victim";

    /** Ids built from the victim's and from the text of Mosquitto's own lines. */
    static final List<String> ATTACKERS = List.of(
            VICTIM + " disconnected",
            VICTIM + " disconnected.",
            VICTIM + " disconnected due to protocol error",
            VICTIM + " disconnected due to malformed packet",
            VICTIM + " disconnected due to",
            VICTIM + " closed its connection",
            VICTIM + ", disconnecting.",
            VICTIM + " has exceeded timeout, disconnecting.",
            VICTIM + " has exceeded timeout, disconnecting",
            VICTIM + " disconnected: Success",
            VICTIM + " disconnected: Connection reset by peer",
            VICTIM + " disconnected, not authorised",
            VICTIM + " already connected, closing old connection",
            VICTIM + " been disconnected by administrative action",
            VICTIM + ": Connection reset by peer",
            VICTIM + " (p2, c1, k60",
            VICTIM + " (p2, c1, k60)",
            VICTIM + " (p5, c1, k60, u'alice')",
            VICTIM + " as x",
            "x as " + VICTIM,
            VICTIM + " x",
            VICTIM + " ",
            " " + VICTIM,
            "x " + VICTIM,
            VICTIM + "2",
            VICTIM + " 1 a/b",
            VICTIM + " a/b",
            VICTIM + " ✓ disconnected",
            VICTIM + " 🚀 disconnected due to protocol error",
            VICTIM + "\u00a0disconnected",
            "Client " + VICTIM + " disconnected.");

    /** Each way Mosquitto logs the end of a connection, for an id, with what connmon must make of it. */
    record Ending(String name, Function<String, String> line, Initiator initiator, Integer code) {}

    static final List<Ending> ENDINGS = List.of(
            new Ending("clean", id -> "Client " + id + " disconnected.", Initiator.CLIENT, null),
            new Ending("closed", id -> "Client " + id + " closed its connection.", Initiator.NETWORK, null),
            new Ending(
                    "timeout", id -> "Client " + id + " has exceeded timeout, disconnecting.", Initiator.SERVER, 0x8D),
            new Ending(
                    "protocol error",
                    id -> "Client " + id + " disconnected due to protocol error.",
                    Initiator.SERVER,
                    0x82),
            new Ending(
                    "malformed packet",
                    id -> "Client " + id + " disconnected due to malformed packet.",
                    Initiator.SERVER,
                    0x81),
            new Ending("errno", id -> "Client " + id + " disconnected: Success.", Initiator.NETWORK, null),
            new Ending(
                    "socket",
                    id -> "Bad socket read/write on client " + id + ": Connection reset by peer",
                    Initiator.NETWORK,
                    null),
            new Ending(
                    "administrative",
                    id -> "Client " + id + " been disconnected by administrative action.",
                    Initiator.SERVER,
                    0x98),
            new Ending(
                    "takeover",
                    id -> "Client " + id + " already connected, closing old connection.",
                    Initiator.SERVER,
                    0x8E));

    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private MosquittoDialect dialect = new MosquittoDialect(metrics);

    private List<LifecycleEvent> line(String level, String text) throws DecodeException {
        return dialect.decode(
                "mosq", "$SYS/broker/log/" + level, ("1795674236: " + text).getBytes(StandardCharsets.UTF_8));
    }

    private LifecycleEvent connect(String id, int port) throws DecodeException {
        List<LifecycleEvent> events =
                line("N", "New client connected from 127.0.0.1:" + port + " as " + id + " (p5, c1, k60, u'alice').");
        assertThat(events).singleElement().extracting(LifecycleEvent::clientId).isEqualTo(id);
        return events.get(0);
    }

    @Test
    void anAttackersEndIsTheAttackersAndTheVictimStaysConnected() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String attacker : ATTACKERS) {
            for (Ending ending : ENDINGS) {
                dialect = new MosquittoDialect(metrics);
                LifecycleEvent victim = connect(VICTIM, 1000);
                LifecycleEvent own = connect(attacker, 2000);

                List<LifecycleEvent> end = line(
                        ending.name().equals("takeover") ? "E" : "N",
                        ending.line().apply(attacker));

                String what = "'" + attacker + "' " + ending.name() + ": ";
                if (end.size() != 1 || !attacker.equals(end.get(0).clientId())) {
                    failures.add(what + "read as "
                            + end.stream().map(LifecycleEvent::clientId).toList());
                    continue;
                }
                LifecycleEvent e = end.get(0);
                if (e.type() != EventType.DISCONNECTED
                        || e.initiator() != ending.initiator()
                        || !java.util.Objects.equals(e.reasonCode(), ending.code())
                        || !own.connectionId().equals(e.connectionId())) {
                    failures.add(what + e);
                }
                // the victim's connection is still the open one: its own end names it
                LifecycleEvent victimsEnd =
                        line("N", "Client " + VICTIM + " disconnected.").get(0);
                if (!victim.connectionId().equals(victimsEnd.connectionId())) {
                    failures.add(what + "the victim's connection was ended");
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    /** After a connmon restart, ids connected before it are unknown: the line alone must still name the attacker. */
    @Test
    void anAttackerConnectedBeforeConnmonListenedIsStillTheOneThatEnds() throws Exception {
        List<String> failures = new ArrayList<>();
        for (String attacker : ATTACKERS) {
            for (Ending ending : ENDINGS) {
                for (boolean victimKnown : new boolean[] {true, false}) {
                    dialect = new MosquittoDialect(metrics);
                    LifecycleEvent victim = victimKnown ? connect(VICTIM, 1000) : null;
                    List<LifecycleEvent> end = line("N", ending.line().apply(attacker));
                    if (end.size() != 1 || !attacker.equals(end.get(0).clientId())) {
                        failures.add("'" + attacker + "' " + ending.name() + " read as "
                                + end.stream().map(LifecycleEvent::clientId).toList());
                    }
                    if (victimKnown
                            && !victim.connectionId()
                                    .equals(line("N", "Client " + VICTIM + " disconnected.")
                                            .get(0)
                                            .connectionId())) {
                        failures.add("'" + attacker + "' " + ending.name() + ": the victim's connection was ended");
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    /**
     * An activity line that also reads as a connected client's (or as an id connmon does not know, which may be a
     * client connected before it listened) is counted as ambiguous, never given to the victim.
     */
    @Test
    void activityNeverNamesTheVictimOfAnotherClientsLine() throws Exception {
        List<String> failures = new ArrayList<>();
        List<String> shapes = new ArrayList<>(ATTACKERS);
        shapes.add("mq"); // a shorter id, against the victim's longer one
        shapes.add("mq-victim 1"); // " <qos> " inside the id
        for (String attacker : shapes) {
            for (int known = 0; known < 4; known++) {
                dialect = new MosquittoDialect(metrics);
                if ((known & 1) != 0) {
                    connect(VICTIM, 1000);
                }
                if ((known & 2) != 0) {
                    connect(attacker, 2000);
                }
                List<LifecycleEvent> events = new ArrayList<>();
                events.addAll(line("M/subscribe", attacker + " 1 t/x"));
                events.addAll(line("M/subscribe", attacker + " 0 t 1 x"));
                events.addAll(line("M/unsubscribe", attacker + " t/x"));
                events.addAll(line("M/unsubscribe", attacker + " t x"));
                for (LifecycleEvent e : events) {
                    if (!e.clientId().equals(attacker)) {
                        failures.add("'" + attacker + "' known " + known + ": " + e.type() + " of '" + e.clientId()
                                + "' on '" + e.topic() + "'");
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(metrics.counter("connmon.mosquitto.unattributed", "kind", "ambiguous")
                        .count())
                .isPositive();
    }

    @Test
    void anActivityLineIsTheClientsWhenOnlyItsReadingIsConnected() throws Exception {
        connect(VICTIM + " x", 1000);
        connect("mq", 2000);
        LifecycleEvent unsub = line("M/unsubscribe", VICTIM + " x t/x").get(0);
        assertThat(unsub.clientId()).isEqualTo(VICTIM + " x");
        assertThat(unsub.topic()).isEqualTo("t/x");
        LifecycleEvent sub = line("M/subscribe", VICTIM + " x 2 a b").get(0);
        assertThat(sub.clientId()).isEqualTo(VICTIM + " x");
        assertThat(sub.topic()).isEqualTo("a b");
        // the longest reading ("mq-victim x 2 a") is no connected client, but it may be one connmon never saw connect
        assertThat(line("M/subscribe", VICTIM + " x 2 a 1 b")).isEmpty();
        // one reading only: the line is the client's, connected or not
        assertThat(line("M/unsubscribe", "mq a/b").get(0).topic()).isEqualTo("a/b");
        assertThat(line("M/unsubscribe", "stranger a/b").get(0).clientId()).isEqualTo("stranger");
        assertThat(line("M/subscribe", "stranger 1 a b").get(0).topic()).isEqualTo("a b");
        // a connected client's filter with a space reads two ways: counted, not stored
        assertThat(line("M/unsubscribe", "mq living room/temp")).isEmpty();
        assertThat(metrics.counter("connmon.mosquitto.unattributed", "kind", "ambiguous")
                        .count())
                .isEqualTo(2);
    }

    /** With {@code log_timestamp false}, an activity line starts with the id, which may look like a timestamp. */
    @Test
    void anIdThatLooksLikeATimestampIsKeptWhereTheBrokerWritesNone() throws Exception {
        for (String stamp : List.of("1795674236: ", "2026-11-26T06:27:02: ", " ")) {
            dialect = new MosquittoDialect(metrics);
            String attacker = stamp + VICTIM;
            for (String id : List.of(VICTIM, attacker)) {
                assertThat(unstamped("N", "New client connected from 127.0.0.1:1 as " + id + " (p2, c1, k60)."))
                        .singleElement()
                        .extracting(LifecycleEvent::clientId)
                        .isEqualTo(id);
            }
            assertThat(unstamped("M/subscribe", attacker + " 1 t/x"))
                    .singleElement()
                    .extracting(LifecycleEvent::clientId)
                    .isEqualTo(attacker);
            assertThat(unstamped("M/unsubscribe", attacker + " t/x"))
                    .singleElement()
                    .extracting(LifecycleEvent::clientId)
                    .isEqualTo(attacker);
            assertThat(unstamped("N", "Client " + attacker + " disconnected."))
                    .singleElement()
                    .extracting(LifecycleEvent::clientId)
                    .isEqualTo(attacker);
        }
        // a broker that stamps its lines: the prefix is its own
        dialect = new MosquittoDialect(metrics);
        connect(VICTIM, 1);
        assertThat(line("M/subscribe", VICTIM + " 1 t/x").get(0).clientId()).isEqualTo(VICTIM);
    }

    private List<LifecycleEvent> unstamped(String level, String text) throws DecodeException {
        return dialect.decode("mosq", "$SYS/broker/log/" + level, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theConnectLineEndsTheIdAtItsLastProtocolGroup() throws Exception {
        assertThat(connect(VICTIM + " (p2, c1, k60)", 1).clientId()).isEqualTo(VICTIM + " (p2, c1, k60)");
        assertThat(connect("a as " + VICTIM + " (p5, c0, k1, u'x')", 2).clientId())
                .isEqualTo("a as " + VICTIM + " (p5, c0, k1, u'x')");
    }
}
