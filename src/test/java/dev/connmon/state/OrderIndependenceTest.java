package dev.connmon.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.connmon.fleet.Availability;
import dev.connmon.fleet.AvailabilityReader;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.lifecycle.dialect.DecodeException;
import dev.connmon.lifecycle.dialect.Dialect;
import dev.connmon.lifecycle.dialect.DialectRegistry;
import dev.connmon.support.MonitorBacklog;
import dev.connmon.support.ServicesResource;
import io.quarkus.logging.Log;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Order independence, as a property: random client histories of each dialect, as that dialect's wire messages,
 * decoded by the real decoders and applied to the real PostgreSQL through {@link StateRepository#apply}, give the
 * same state row and the same connection log in any arrival order and with any duplicates.
 * <p>
 * Each history is applied as variants under client ids of their own: the ordered history (the reference), a few
 * shuffles, and a shuffle with duplicates. All variants of all histories share the batches, and each variant lands
 * in them in one of three ways: all of it in one batch (only the in-batch fold, {@link ClientDelta}), one event per
 * batch (only the SQL upsert), or spread at random (both). {@code -Dtest.order.histories=N} per dialect,
 * {@code -Dtest.order.seed=S} replays a run.
 * <p>
 * Mosquitto is the exception: its decoder names connections from the order of the log lines (a disconnect line
 * carries no connection of its own; the decoder remembers the open one per client), so a shuffled log is a
 * different log, not the same one in another order. What connmon can claim there, and what is tested: the events
 * decoded from the log in its order, delivered in any order, with duplicates, in any batches, give the same result.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class OrderIndependenceTest {
    static final int HISTORIES = Integer.getInteger("test.order.histories", 300);
    static final long SEED = Long.getLong("test.order.seed", System.nanoTime());
    static final int SHUFFLES = 3;
    static final int BATCH = 500;
    static final String SOURCE = "order";

    @Inject
    StateRepository repository;

    @Inject
    DialectRegistry dialects;

    @Inject
    Pool pool;

    @Inject
    AvailabilityReader availability;

    /** Histories per dialect whose availability (docs/api.md §10.1) is compared too: a read per variant. */
    static final int AVAILABILITY_HISTORIES = Integer.getInteger("connmon.order.availability-histories", 100);

    /** One message as the broker publishes it. */
    record Wire(String topic, String payload) {
        byte[] bytes() {
            return payload.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** One variant of a history: its client id and its events in arrival order. */
    record Variant(int history, int number, String clientId, List<LifecycleEvent> events) {}

    @AfterAll
    static void letTheMonitoringTopicCatchUp() {
        MonitorBacklog.awaitDrained(
                io.quarkus.arc.Arc.container().instance(Pool.class).get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"connmon", "emqx", "aws", "watson", "nanomq", "mosquitto"})
    void anyOrderAnyDuplicatesAnyBatchesGiveTheOrderedState(String dialectName) throws DecodeException {
        long seed = SEED ^ dialectName.hashCode();
        Random random = new Random(seed);
        String replay = "replay: -Dtest=OrderIndependenceTest -Dtest.order.seed=" + SEED + " -Dtest.order.histories="
                + HISTORIES;
        Dialect dialect = dialects.byName(dialectName).orElseThrow();
        String tag = "oi" + UUID.randomUUID().toString().substring(0, 8) + "-" + dialectName;
        long started = System.nanoTime();

        List<Variant> variants = new ArrayList<>();
        Map<Integer, List<Wire>> orderedWire = new HashMap<>();
        for (int h = 0; h < HISTORIES; h++) {
            Histories.Life life = Histories.life(random, dialectName);
            List<Wire> reference = null;
            for (int v = 0; v <= SHUFFLES + 1; v++) {
                String clientId = Histories.clientId(dialectName, tag, h, v, life);
                List<Wire> wire = Histories.render(dialectName, life, clientId);
                if (v == 0) {
                    reference = wire;
                    orderedWire.put(h, wire);
                }
                variants.add(new Variant(h, v, clientId, arrival(random, dialect, wire, v)));
            }
            assertThat(reference).isNotEmpty();
        }

        int events = applyInRandomBatches(random, variants);
        Map<String, String> states = states(tag);
        Map<String, List<String>> logs = logs(tag);
        List<String> mismatches = new ArrayList<>();
        Map<Integer, Variant> references = new HashMap<>();
        variants.stream().filter(v -> v.number() == 0).forEach(v -> references.put(v.history(), v));
        for (Variant variant : variants) {
            Variant reference = references.get(variant.history());
            if (variant.number() == 0) {
                // not vacuous: the reference's log holds every distinct logged event it was sent
                long expected = variant.events().stream()
                        .filter(e -> e.type().isLogged())
                        .map(BatchStatement::dedupKey)
                        .distinct()
                        .count();
                if (logs.getOrDefault(variant.clientId(), List.of()).size() != expected) {
                    mismatches.add("history " + variant.history() + ": " + expected + " log rows sent, "
                            + logs.getOrDefault(variant.clientId(), List.of()).size() + " stored");
                }
                continue;
            }
            String expectedState = states.get(reference.clientId());
            String actualState = states.get(variant.clientId());
            List<String> expectedLog = logs.getOrDefault(reference.clientId(), List.of());
            List<String> actualLog = logs.getOrDefault(variant.clientId(), List.of());
            if (!java.util.Objects.equals(expectedState, actualState) || !expectedLog.equals(actualLog)) {
                mismatches.add(describe(
                        variant,
                        reference,
                        orderedWire.get(variant.history()),
                        expectedState,
                        actualState,
                        expectedLog,
                        actualLog));
            }
        }
        mismatches.addAll(availabilityMismatches(variants, references));
        Log.infof(
                "Order independence %s: %d histories, %d variants, %d events in batches of up to %d, %.1f s; "
                        + "%d mismatches (seed %d)",
                dialectName,
                HISTORIES,
                variants.size(),
                events,
                BATCH,
                (System.nanoTime() - started) / 1e9,
                mismatches.size(),
                SEED);
        assertThat(mismatches)
                .as(
                        "%d of %d variants differ from their ordered history; %s",
                        mismatches.size(), variants.size(), replay)
                .isEmpty();
    }

    /**
     * Availability is computed from the log alone, so every variant of a history must give its reference's answer,
     * to the millisecond and bucket. The window starts halfway through the history (the state before it comes from
     * the events before it) and ends a minute after its last event.
     */
    private List<String> availabilityMismatches(List<Variant> variants, Map<Integer, Variant> references) {
        List<String> mismatches = new ArrayList<>();
        for (Variant variant : variants) {
            if (variant.history() >= AVAILABILITY_HISTORIES) {
                continue;
            }
            Variant reference = references.get(variant.history());
            long first = reference.events().stream()
                    .mapToLong(e -> e.time().toEpochMilli())
                    .min()
                    .orElseThrow();
            long last = reference.events().stream()
                    .mapToLong(e -> e.time().toEpochMilli())
                    .max()
                    .orElseThrow();
            java.time.Instant since = java.time.Instant.ofEpochMilli(first + (last - first) / 2);
            java.time.Instant until = java.time.Instant.ofEpochMilli(last + 60_000);
            Duration step = Duration.ofMillis((until.toEpochMilli() - since.toEpochMilli()) / 7 + 1);
            String expected = describe(availability
                    .of(reference.clientId(), since, until, step)
                    .await()
                    .atMost(Duration.ofSeconds(30)));
            String actual = describe(availability
                    .of(variant.clientId(), since, until, step)
                    .await()
                    .atMost(Duration.ofSeconds(30)));
            if (!expected.equals(actual)) {
                mismatches.add("\nhistory " + variant.history() + " variant " + variant.number()
                        + ": availability differs\n  expected: " + expected + "\n  actual:   " + actual);
            }
        }
        return mismatches;
    }

    private static String describe(Availability a) {
        return a == null ? "unknown client" : a.toString().replaceFirst("id=[^,]*,", "");
    }

    /**
     * The events of one variant in the order they arrive. Variant 0 is the history in order; the last one has
     * duplicates. Stateless dialects decode the shuffled wire messages; Mosquitto's log is decoded in its order and
     * its events shuffled (see the class comment).
     */
    private List<LifecycleEvent> arrival(Random random, Dialect dialect, List<Wire> ordered, int variant)
            throws DecodeException {
        boolean stateful = dialect.name().equals("mosquitto");
        List<Object> items = new ArrayList<>();
        if (stateful) {
            for (Wire wire : ordered) {
                items.addAll(decode(dialect, wire));
            }
        } else {
            items.addAll(ordered);
        }
        if (variant > 0) {
            if (variant == SHUFFLES + 1) {
                int duplicates = 1 + random.nextInt(Math.max(1, items.size()));
                for (int i = 0; i < duplicates; i++) {
                    items.add(items.get(random.nextInt(items.size())));
                }
            }
            Collections.shuffle(items, random);
        }
        List<LifecycleEvent> events = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof Wire wire) {
                events.addAll(decode(dialect, wire));
            } else {
                events.add((LifecycleEvent) item);
            }
        }
        return events;
    }

    private static List<LifecycleEvent> decode(Dialect dialect, Wire wire) throws DecodeException {
        List<LifecycleEvent> events = new ArrayList<>();
        // as MessageDecoder hands them on: stamped with their source (which also names a node the dialect leaves out)
        for (LifecycleEvent event : dialect.decode(SOURCE, wire.topic(), wire.bytes())) {
            events.add(event.fromSource(SOURCE));
        }
        return events;
    }

    /**
     * Spreads the variants' events over batches of up to about {@value #BATCH} events, each variant in its own
     * order, and applies the batches one after the other. Returns the number of events applied.
     */
    private int applyInRandomBatches(Random random, List<Variant> variants) {
        int total = variants.stream().mapToInt(v -> v.events().size()).sum();
        int batchCount = Math.max(2, (total + BATCH - 1) / BATCH);
        List<List<LifecycleEvent>> batches = new ArrayList<>();
        for (int i = 0; i < batchCount; i++) {
            batches.add(new ArrayList<>());
        }
        for (Variant variant : variants) {
            List<LifecycleEvent> events = variant.events();
            int[] slots = new int[events.size()];
            int way = events.size() > batchCount ? 2 : random.nextInt(3);
            switch (way) {
                case 0 -> java.util.Arrays.fill(slots, random.nextInt(batchCount)); // in-batch fold only
                case 1 -> { // one event per batch: the SQL merge only
                    List<Integer> distinct = new ArrayList<>();
                    for (int i = 0; i < batchCount; i++) {
                        distinct.add(i);
                    }
                    Collections.shuffle(distinct, random);
                    List<Integer> chosen = new ArrayList<>(distinct.subList(0, events.size()));
                    Collections.sort(chosen);
                    for (int i = 0; i < slots.length; i++) {
                        slots[i] = chosen.get(i);
                    }
                }
                default -> { // both, at random
                    for (int i = 0; i < slots.length; i++) {
                        slots[i] = random.nextInt(batchCount);
                    }
                    java.util.Arrays.sort(slots);
                }
            }
            for (int i = 0; i < slots.length; i++) {
                batches.get(slots[i]).add(events.get(i));
            }
        }
        for (List<LifecycleEvent> batch : batches) {
            repository.apply(new IngestBatch(batch, List.of())).await().atMost(Duration.ofMinutes(1));
        }
        return total;
    }

    /**
     * Each client's state row as JSON, without what differs by construction: the id, its derived Watson device id,
     * and the time of the write.
     */
    private Map<String, String> states(String tag) {
        Map<String, String> states = new HashMap<>();
        pool.preparedQuery("""
                SELECT client_id, (to_jsonb(s) - 'client_id' - 'device_id' - 'updated_at')::text AS row
                  FROM client_state s WHERE strpos(client_id, $1) > 0""")
                .execute(Tuple.of(tag))
                .await()
                .atMost(Duration.ofMinutes(1))
                .forEach(row -> states.put(row.getString("client_id"), row.getString("row")));
        return states;
    }

    /** Each client's log rows as JSON, in a total order, without the id, the client id and the time of arrival. */
    private Map<String, List<String>> logs(String tag) {
        Map<String, List<String>> logs = new LinkedHashMap<>();
        pool.preparedQuery("""
                SELECT client_id, (to_jsonb(l) - 'id' - 'client_id' - 'device_id' - 'received_at')::text AS row
                  FROM connection_log l WHERE strpos(client_id, $1) > 0
                 ORDER BY client_id, event_time, event, connection_id, row""")
                .execute(Tuple.of(tag))
                .await()
                .atMost(Duration.ofMinutes(1))
                .forEach(row -> logs.computeIfAbsent(row.getString("client_id"), k -> new ArrayList<>())
                        .add(row.getString("row")));
        return logs;
    }

    private static String describe(
            Variant variant,
            Variant reference,
            List<Wire> wire,
            String expectedState,
            String actualState,
            List<String> expectedLog,
            List<String> actualLog) {
        StringBuilder out = new StringBuilder();
        out.append("\nhistory ")
                .append(variant.history())
                .append(" variant ")
                .append(variant.number())
                .append(" (")
                .append(variant.clientId())
                .append(") differs from ")
                .append(reference.clientId());
        if (!java.util.Objects.equals(expectedState, actualState)) {
            out.append("\n  state expected: ")
                    .append(expectedState)
                    .append("\n  state actual:   ")
                    .append(actualState);
        }
        if (!expectedLog.equals(actualLog)) {
            Set<String> missing = new HashSet<>(expectedLog);
            actualLog.forEach(missing::remove);
            Set<String> extra = new HashSet<>(actualLog);
            expectedLog.forEach(extra::remove);
            out.append("\n  log rows missing: ")
                    .append(missing)
                    .append("\n  log rows extra:   ")
                    .append(extra);
        }
        out.append("\n  ordered history (wire):");
        wire.forEach(w -> out.append("\n    ").append(w.topic()).append(' ').append(w.payload()));
        out.append("\n  arrival order of the variant:");
        variant.events()
                .forEach(e -> out.append("\n    ")
                        .append(e.type().wireName())
                        .append(' ')
                        .append(e.time())
                        .append(" conn=")
                        .append(e.connectionId())
                        .append(' ')
                        .append(e.initiator())
                        .append(' ')
                        .append(e.reasonCode()));
        return out.toString();
    }
}
