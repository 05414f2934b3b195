package dev.connmon.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connmon.query.StateFilter.Field;
import dev.connmon.state.ClientState;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one filter model ({@link StateFilter.Field}) gives the same answer in its two forms: for every filter, on the
 * same sample states, the SQL the list runs on the real PostgreSQL selects exactly the states that the in-memory
 * test (live streams, alert rules) accepts; so do two values of one filter combined ({@link StateFilter#and}), and
 * random combinations of several filters. A filter added to the model without sample values here fails the test.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class FilterModelTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int STATES = 72;

    @Inject
    Pool pool;

    @Inject
    StateReader reader;

    private final String org = "fm" + UUID.randomUUID().toString().substring(0, 8);
    private final Instant t0 = Instant.now().minus(Duration.ofDays(10)).truncatedTo(ChronoUnit.MILLIS);
    private final List<String> ids = new ArrayList<>();
    private final List<ClientState> states = new ArrayList<>();

    /** Values of each filter to try: boundaries of the samples' times, ids and codes. */
    private Map<Field, List<Object>> values() {
        Map<Field, List<Object>> values = new EnumMap<>(Field.class);
        List<Object> times = List.of(
                t0.minusMillis(1),
                t0,
                t0.plus(Duration.ofMinutes(30)),
                t0.plus(Duration.ofMinutes(31)),
                t0.plus(Duration.ofHours(2)),
                t0.plus(Duration.ofHours(3)));
        values.put(Field.CONNECTION_STATUS, List.of("connected", "disconnected"));
        for (Field time : List.of(
                Field.CONNECTED_AFTER,
                Field.CONNECTED_BEFORE,
                Field.DISCONNECTED_AFTER,
                Field.DISCONNECTED_BEFORE,
                Field.ACTIVE_AFTER,
                Field.ACTIVE_BEFORE)) {
            values.put(time, times);
        }
        values.put(Field.DISCONNECT_INITIATOR, List.of("client", "server", "network"));
        values.put(Field.DISCONNECT_REASON_CODE, List.of(0, 141, 142, 255));
        values.put(
                Field.CLIENT_ID_PREFIX,
                List.of("d:" + org + ":", "d:" + org + ":pump:", "g:" + org + ":gw:00", "a:" + org, org + "-plain-1"));
        values.put(Field.CLIENT_TYPE, List.of("device", "application", "gateway", "client"));
        values.put(Field.DEVICE_TYPE, List.of("pump", "sensor", "gw", "app1"));
        values.put(Field.DEVICE_ID, List.of("0000", "0001", "0002", "0012"));
        values.put(Field.FLAPPING, List.of(true, false));
        values.put(Field.IN_MAINTENANCE, List.of(true, false));
        values.put(Field.OVERDUE, List.of(true, false));
        return values;
    }

    @Inject
    dev.connmon.schedule.MaintenanceWindows windows;

    private String window;
    private List<dev.connmon.state.ClientCalendar.Expectation> configured;

    /**
     * A maintenance window over the samples' pumps, and an expectation over their sensors by which those that
     * disconnected after t0 + 45 minutes are asleep and the others overdue: inMaintenance and overdue then select
     * some samples and not others.
     */
    private void planAbsences() {
        window = windows.create(
                        "clientIdPrefix=d:" + org + ":pump:",
                        null,
                        Instant.now().plus(Duration.ofHours(1)).toString(),
                        "filter model",
                        "test")
                .await()
                .atMost(TIMEOUT)
                .id();
        StateFilter sensors =
                FilterText.parse("clientIdPrefix=d:" + org + ":sensor:").filter(Instant.now());
        configured = dev.connmon.state.ClientCalendar.expectations();
        List<dev.connmon.state.ClientCalendar.Expectation> more = new ArrayList<>(configured);
        more.add(new dev.connmon.state.ClientCalendar.Expectation(
                "fm",
                Duration.between(t0.plus(Duration.ofMinutes(45)), Instant.now()),
                sensors::matchesId,
                sensors::condition));
        dev.connmon.state.ClientCalendar.expectations(more);
    }

    @AfterEach
    void endAbsences() {
        dev.connmon.state.ClientCalendar.expectations(configured);
        windows.end(Long.parseLong(window)).await().atMost(TIMEOUT);
    }

    @BeforeEach
    void insertSampleStates() {
        planAbsences();
        Random random = new Random(42);
        Instant now = Instant.now();
        List<Tuple> rows = new ArrayList<>();
        for (int i = 0; i < STATES; i++) {
            String id = switch (i % 6) {
                case 0 -> "d:%s:pump:%04d".formatted(org, i);
                case 1 -> "d:%s:sensor:%04d".formatted(org, i);
                case 2 -> "g:%s:gw:%04d".formatted(org, i);
                case 3 -> "a:%s:app%d".formatted(org, i);
                case 4 -> "A:%s:app%d".formatted(org, i);
                default -> "%s-plain-%d".formatted(org, i);
            };
            ids.add(id);
            OffsetDateTime activity = time(random);
            Instant flappingUntil = switch (random.nextInt(3)) {
                case 0 -> null;
                case 1 -> now.minus(Duration.ofHours(1));
                default -> now.plus(Duration.ofHours(1));
            };
            rows.add(Tuple.from(new Object[] {
                id,
                time(random),
                random.nextBoolean() ? "c" + i : null,
                random.nextBoolean(),
                time(random),
                random.nextBoolean() ? "c" + i : null,
                new String[] {null, "client", "server", "network"}[random.nextInt(4)],
                new Integer[] {null, 0, 141, 142}[random.nextInt(4)],
                activity,
                activity == null ? null : "mqttPublish",
                activity == null ? null : (short) 3,
                flappingUntil == null ? null : flappingUntil.atOffset(ZoneOffset.UTC),
                flappingUntil == null ? null : now.minus(Duration.ofHours(2)).atOffset(ZoneOffset.UTC)
            }));
        }
        pool.preparedQuery("""
                        INSERT INTO client_state (client_id, connect_time, connect_connection_id, connect_closed,
                                disconnect_time, disconnect_connection_id, disconnect_initiator,
                                disconnect_reason_code, activity_time, activity_event, activity_rank,
                                flapping_until, flapping_since)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""").executeBatch(rows).await().atMost(TIMEOUT);
        for (String id : ids) {
            states.add(reader.findById(id).await().atMost(TIMEOUT));
        }
        assertThat(states).doesNotContainNull();
        assertThat(states.stream().map(ClientState::connectionStatus).distinct())
                .containsExactlyInAnyOrder("connected", "disconnected");
    }

    /** Null, or one of five times 30 minutes apart from t0 (the filter values' boundaries meet them exactly). */
    private OffsetDateTime time(Random random) {
        int k = random.nextInt(6);
        return k == 5 ? null : t0.plus(Duration.ofMinutes(30L * k)).atOffset(ZoneOffset.UTC);
    }

    @AfterEach
    void deleteSampleStates() {
        pool.preparedQuery("DELETE FROM client_state WHERE client_id = ANY($1)")
                .execute(Tuple.of(ids.toArray(String[]::new)))
                .await()
                .atMost(TIMEOUT);
    }

    /** The sample ids that the list's SQL for {@code filter} selects. */
    private Set<String> bySql(StateFilter filter) {
        StateListQuery count = StateListQuery.count(filter);
        List<Object> params = new ArrayList<>(count.params());
        params.add(ids.toArray(String[]::new));
        String sql = count.sql().replace("SELECT count(*) AS n", "SELECT client_id") + " AND client_id = ANY($"
                + params.size() + ")";
        Set<String> selected = new TreeSet<>();
        for (Row row :
                pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(TIMEOUT)) {
            selected.add(row.getString("client_id"));
        }
        return selected;
    }

    /** The sample ids that the in-memory test of {@code filter} accepts. */
    private Set<String> inMemory(StateFilter filter) {
        return states.stream()
                .filter(filter::matches)
                .map(ClientState::id)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyFilterSelectsInSqlWhatItMatchesInMemory() {
        Map<Field, List<Object>> values = values();
        assertThat(values.keySet()).as("sample values for every filter").containsExactlyInAnyOrder(Field.values());
        for (Field field : Field.values()) {
            boolean discriminates = false;
            for (Object value : values.get(field)) {
                StateFilter filter = StateFilter.ALL.with(field, value);
                Set<String> expected = inMemory(filter);
                assertThat(bySql(filter)).as("%s = %s", field, value).isEqualTo(expected);
                discriminates |= !expected.isEmpty() && expected.size() < STATES;
            }
            assertThat(discriminates)
                    .as("%s selects some samples and not others", field)
                    .isTrue();
        }
    }

    @Test
    void twoValuesOfOneFilterMeanBoth() {
        Map<Field, List<Object>> values = values();
        for (Field field : Field.values()) {
            for (Object a : values.get(field)) {
                for (Object b : values.get(field)) {
                    StateFilter first = StateFilter.ALL.with(field, a);
                    StateFilter second = StateFilter.ALL.with(field, b);
                    List<String> both = states.stream()
                            .filter(s -> first.matches(s) && second.matches(s))
                            .map(ClientState::id)
                            .toList();
                    StateFilter combined;
                    try {
                        combined = first.and(second);
                    } catch (IllegalArgumentException contradiction) {
                        // refused as a pair that could never match anything: then nothing does
                        assertThat(both).as("%s: %s and %s", field, a, b).isEmpty();
                        continue;
                    }
                    assertThat(inMemory(combined))
                            .as("%s: %s and %s", field, a, b)
                            .containsExactlyElementsOf(new TreeSet<>(both));
                    assertThat(bySql(combined))
                            .as("%s: %s and %s in SQL", field, a, b)
                            .isEqualTo(inMemory(combined));
                }
            }
        }
    }

    @Test
    void combinationsSelectInSqlWhatTheyMatchInMemory() {
        Map<Field, List<Object>> values = values();
        Random random = new Random(7);
        int nonEmpty = 0;
        for (int n = 0; n < 150; n++) {
            Map<Field, Object> chosen = new EnumMap<>(Field.class);
            for (int k = 0; k < 2 + random.nextInt(2); k++) {
                Field field = Field.values()[random.nextInt(Field.values().length)];
                List<Object> options = values.get(field);
                chosen.put(field, options.get(random.nextInt(options.size())));
            }
            StateFilter filter = StateFilter.of(chosen);
            Set<String> expected = inMemory(filter);
            assertThat(bySql(filter)).as("%s", filter).isEqualTo(expected);
            nonEmpty += expected.isEmpty() ? 0 : 1;
        }
        assertThat(nonEmpty).as("combinations that select something").isGreaterThan(20);
    }

    @Test
    void aDeletionIsJudgedByItsIdAlone() {
        String pump = "d:" + org + ":pump:0000";
        assertThat(StateFilter.ALL
                        .with(Field.CLIENT_ID_PREFIX, "d:" + org + ":pump:")
                        .matchesId(pump))
                .isTrue();
        assertThat(StateFilter.ALL.with(Field.CLIENT_ID_PREFIX, "g:").matchesId(pump))
                .isFalse();
        // the other filters need the state, which a deletion no longer has: they let it through
        assertThat(StateFilter.ALL.with(Field.CONNECTION_STATUS, "connected").matchesId(pump))
                .isTrue();
        assertThatThrownBy(() -> StateFilter.ALL.with(Field.DISCONNECT_REASON_CODE, "141"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
