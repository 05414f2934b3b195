package dev.connmon.api;

import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static dev.connmon.support.Events.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The state list (docs/api.md §2): every filter, alias, sort and time format, keyset paging, and its 400s. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class StateListResourceTest {
    private static final String ORG = "o" + UUID.randomUUID().toString().substring(0, 6);
    private static final String SENSOR = "sensor" + ORG;
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private static final String A = "d:" + ORG + ":" + SENSOR + ":a";
    private static final String B = "d:" + ORG + ":" + SENSOR + ":b";
    private static final String C = "d:" + ORG + ":camera:c";
    private static final String D = "a:" + ORG + ":app1";
    private static final String E = "g:" + ORG + ":gw:e";
    private static boolean loaded;

    /** Six clients of one organization, published once through the broker like any other events. */
    private static synchronized void load() {
        if (loaded) {
            return;
        }
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("list-fixture-" + UUID.randomUUID());
        List<JsonObject> events = List.of(
                connected(A, NOW.minus(1, ChronoUnit.HOURS), "a1"),
                // a minute, not ten: "activeAfter=PT15M" is relative to the server's clock, and on a loaded CI machine
                // this class's later tests have run more than five minutes after NOW was taken
                event("published", A, NOW.minus(1, ChronoUnit.MINUTES)),
                connected(B, NOW.minus(3, ChronoUnit.DAYS), "b1"),
                disconnected(B, NOW.minus(3, ChronoUnit.DAYS).plus(1, ChronoUnit.HOURS), "b1", "server", 0x8D),
                connected(C, NOW.minus(1, ChronoUnit.DAYS), "c1"),
                disconnected(C, NOW.minus(20, ChronoUnit.HOURS), "c1", "client", 0),
                connected(D, NOW.minus(5, ChronoUnit.DAYS), "d1"),
                disconnected(D, NOW.minus(4, ChronoUnit.DAYS), "d1", "network", 0x8D)
                        .put("reasonCode", null),
                connected(E, NOW.minus(30, ChronoUnit.MINUTES), "e1"),
                connected("x" + ORG + "-plain", NOW.minus(2, ChronoUnit.HOURS), "p1"));
        events.forEach(e -> TestMqtt.publishEvent(publisher, "list", e.encode()));
        publisher.disconnect().join();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ids("clientIdPrefix", "d:" + ORG).size() == 3
                        && ids("clientIdPrefix", "x" + ORG).size() == 1
                        && ids("clientIdPrefix", "a:" + ORG).size() == 1
                        && ids("clientIdPrefix", "g:" + ORG).size() == 1);
        loaded = true;
    }

    private static ValidatableResponse list(Object... params) {
        Map<String, Object> query = new LinkedHashMap<>();
        for (int i = 0; i < params.length; i += 2) {
            query.put((String) params[i], params[i + 1]);
        }
        return asReader().queryParams(query).when().get(STATES).then();
    }

    private static List<String> ids(Object... params) {
        return list(params).statusCode(200).extract().jsonPath().getList("results.id", String.class);
    }

    /**
     * The fixture's ids among the results of a query. The database holds every other test's clients too, tens of
     * thousands: the query is asked once per prefix of the fixture's ids (filters combine with AND), unless it names
     * a prefix itself, so that it reads the fixture's clients and not the whole fleet.
     */
    private static Set<String> fixture(Object... params) {
        load();
        List<Object> given = List.of(params);
        List<List<Object>> queries = new ArrayList<>();
        if (given.contains("clientIdPrefix")) {
            queries.add(given);
        } else {
            for (String prefix : List.of("d:" + ORG, "a:" + ORG, "g:" + ORG, "x" + ORG)) {
                List<Object> query = new ArrayList<>(given);
                query.addAll(List.of("clientIdPrefix", prefix));
                queries.add(query);
            }
        }
        Set<String> mine = new HashSet<>();
        for (List<Object> query : queries) {
            for (String id : allPages(query.toArray())) {
                if (id.contains(ORG)) {
                    mine.add(id);
                }
            }
        }
        return mine;
    }

    private static List<String> allPages(Object... params) {
        List<String> all = new ArrayList<>();
        String bookmark = null;
        do {
            List<Object> withBookmark = new ArrayList<>(List.of(params));
            withBookmark.addAll(List.of("_limit", 1000));
            if (bookmark != null) {
                withBookmark.addAll(List.of("_bookmark", bookmark));
            }
            JsonPath page =
                    list(withBookmark.toArray()).statusCode(200).extract().jsonPath();
            all.addAll(page.getList("results.id", String.class));
            bookmark = page.getString("bookmark");
        } while (bookmark != null);
        return all;
    }

    @Test
    void everyFilterSelectsItsClients() {
        String plain = "x" + ORG + "-plain";
        assertThat(fixture("connectionStatus", "connected")).containsExactlyInAnyOrder(A, E, plain);
        assertThat(fixture("connectionStatus", "disconnected")).containsExactlyInAnyOrder(B, C, D);
        assertThat(fixture("connectedAfter", "P2D")).containsExactlyInAnyOrder(A, C, E, plain);
        assertThat(fixture("connectedBefore", "P2D")).containsExactlyInAnyOrder(B, D);
        assertThat(fixture("disconnectedAfter", "P2D")).containsExactlyInAnyOrder(C);
        assertThat(fixture("disconnectedBefore", "PT1H")).containsExactlyInAnyOrder(B, C, D);
        assertThat(fixture("activeAfter", "PT15M")).containsExactlyInAnyOrder(A);
        assertThat(fixture("activeBefore", "P1D")).containsExactlyInAnyOrder(B, D);
        assertThat(fixture("disconnectInitiator", "server")).containsExactlyInAnyOrder(B);
        assertThat(fixture("disconnectInitiator", "network")).containsExactlyInAnyOrder(D);
        assertThat(fixture("disconnectReasonCode", 141)).containsExactlyInAnyOrder(B);
        assertThat(fixture("clientIdPrefix", "d:" + ORG + ":" + SENSOR)).containsExactlyInAnyOrder(A, B);
        assertThat(fixture("clientType", "application")).containsExactlyInAnyOrder(D);
        assertThat(fixture("clientType", "gateway")).containsExactlyInAnyOrder(E);
        assertThat(fixture("clientType", "client", "clientIdPrefix", "x" + ORG)).containsExactlyInAnyOrder(plain);
        assertThat(fixture("deviceType", SENSOR)).containsExactlyInAnyOrder(A, B);
        assertThat(fixture("deviceType", "gw")).contains(E);
        assertThat(fixture("deviceId", "c", "clientIdPrefix", "d:" + ORG)).containsExactlyInAnyOrder(C);
    }

    @Test
    void filtersCombineWithAnd() {
        assertThat(fixture("connectionStatus", "disconnected", "connectedAfter", "P2D"))
                .containsExactly(C);
        assertThat(fixture("deviceType", SENSOR, "connectionStatus", "connected"))
                .containsExactly(A);
        assertThat(fixture("clientType", "device", "clientIdPrefix", "d:" + ORG, "disconnectInitiator", "client"))
                .containsExactly(C);
    }

    @Test
    void aliasesAndTimeFormatsAgree() {
        Instant twoDaysAgo = NOW.minus(2, ChronoUnit.DAYS);
        Set<String> expected = fixture("connectedAfter", "P2D");
        assertThat(fixture("lastConnectedAfter", "P2D")).isEqualTo(expected);
        assertThat(fixture("connectedAfter", "PT48H")).isEqualTo(expected);
        assertThat(fixture("connectedAfter", twoDaysAgo.toString())).isEqualTo(expected);
        assertThat(fixture(
                        "connectedAfter",
                        twoDaysAgo.atOffset(java.time.ZoneOffset.ofHours(2)).toString()))
                .isEqualTo(expected);
        assertThat(fixture("connectedAfter", twoDaysAgo.toEpochMilli())).isEqualTo(expected);
        assertThat(fixture("lastConnectedBefore", "P2D")).isEqualTo(fixture("connectedBefore", "P2D"));
    }

    @Test
    void sortOrdersAndDirections() {
        load();
        List<String> byId = ids("clientIdPrefix", "d:" + ORG, "_sort", "id");
        assertThat(byId).containsExactly(C, A, B);
        assertThat(ids("clientIdPrefix", "d:" + ORG, "_sort", "-id")).containsExactly(B, A, C);
        assertThat(ids("clientIdPrefix", "d:" + ORG, "_sort", "lastConnectTime"))
                .containsExactly(B, C, A);
        assertThat(ids("clientIdPrefix", "d:" + ORG, "_sort", "-lastConnectTime"))
                .containsExactly(A, C, B);
        // A never disconnected: absent times come first ascending, last descending
        assertThat(ids("clientIdPrefix", "d:" + ORG, "_sort", "lastDisconnectTime"))
                .containsExactly(A, B, C);
        assertThat(ids("clientIdPrefix", "d:" + ORG, "_sort", "-lastDisconnectTime"))
                .containsExactly(C, B, A);
        assertThat(ids("clientIdPrefix", "d:" + ORG, "_sort", "-lastActivityTime"))
                .containsExactly(A, C, B);
    }

    @Test
    void stateObjectsInListsHaveEveryField() {
        load();
        list("clientIdPrefix", B)
                .statusCode(200)
                .body("results[0].id", equalTo(B))
                .body("results[0].clientType", equalTo("device"))
                .body("results[0].connectionStatus", equalTo("disconnected"))
                .body("results[0].lastDisconnectReasonCode", equalTo(141))
                .body("results[0].lastDisconnectReason", equalTo("Keep Alive timeout"))
                .body("results[0].username", nullValue())
                .body("results[0].unconfirmedSince", nullValue())
                .body("bookmark", nullValue());
    }

    @Test
    void pagingWithPageSizeSevenSeesEveryClientOnceDespiteConcurrentInserts() {
        pageThroughEverySort(200, 53, 10);
    }

    /** The same at the size of a fleet: about 290 pages per sort order. */
    @Test
    @Tag("long")
    void pagingThroughThousandsWithPageSizeSevenSeesEveryClientOnceDespiteConcurrentInserts() {
        pageThroughEverySort(2_000, 977, 50);
    }

    /** Client i connects i % ties seconds ago: many share a time, and so page boundaries fall inside ties. */
    private void pageThroughEverySort(int clients, int ties, int latePerSort) {
        String prefix = "page-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("page-publisher-" + UUID.randomUUID());
        // in chunks that a stock Mosquitto keeps whole (it queues 1000 messages per subscriber, then drops)
        for (int chunk = 0; chunk < clients; chunk += 500) {
            int end = Math.min(clients, chunk + 500);
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (int i = chunk; i < end; i++) {
                List<JsonObject> events =
                        new ArrayList<>(List.of(connected(prefix + i, NOW.minusSeconds(i % ties), "c")));
                if (i % 3 == 0) {
                    // a third disconnected, in ties of their own: the others have no disconnect time to sort by
                    events.add(
                            disconnected(prefix + i, NOW.minusSeconds(i % ties).plusMillis(100), "c", "client", 0));
                }
                for (JsonObject event : events) {
                    sent.add(publisher
                            .publishWith()
                            .topic(TestMqtt.eventTopicPrefix() + "page")
                            .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
                            .payload(event.encode().getBytes())
                            .send());
                }
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
            int expected = end;
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> allPages("clientIdPrefix", prefix).size() == expected);
        }
        // a disconnect stored mid-listing would move its client in the disconnect-time order
        int disconnected = (clients + 2) / 3;
        await().atMost(Duration.ofSeconds(30))
                .until(() -> allPages("clientIdPrefix", prefix, "connectionStatus", "disconnected")
                                .size()
                        == disconnected);
        Set<String> before = new HashSet<>(allPages("clientIdPrefix", prefix));

        // the sort orders are walked side by side: each one's clients arriving mid-listing arrive mid-listing for
        // the others too, and a walk spends most of its time waiting for its next page
        List<String> sorts = List.of(
                "id",
                "-id",
                "lastConnectTime",
                "-lastConnectTime",
                "lastDisconnectTime",
                "-lastDisconnectTime",
                "lastActivityTime",
                "-lastActivityTime");
        ExecutorService walkers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> walks = new ArrayList<>();
            for (String sort : sorts) {
                walks.add(walkers.submit(() -> pageThrough(
                        sort, prefix, clients + latePerSort * sorts.size(), latePerSort, before, publisher)));
            }
            for (Future<?> walk : walks) {
                try {
                    walk.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            walkers.shutdownNow();
        }
        publisher.disconnect().join();
    }

    /** Pages through the prefix's clients in one sort order, seven at a time, {@code late} more arriving after page 20. */
    private static void pageThrough(
            String sort, String prefix, int atMost, int late, Set<String> before, Mqtt5AsyncClient publisher) {
        List<String> seen = new ArrayList<>();
        String bookmark = null;
        int page = 0;
        do {
            List<Object> params = new ArrayList<>(List.of("clientIdPrefix", prefix, "_limit", 7, "_sort", sort));
            if (bookmark != null) {
                params.addAll(List.of("_bookmark", bookmark));
            }
            JsonPath body = list(params.toArray()).statusCode(200).extract().jsonPath();
            List<String> results = body.getList("results.id", String.class);
            assertThat(results).hasSizeLessThanOrEqualTo(7);
            seen.addAll(results);
            // a bookmark that leads back to an earlier page must fail the test, not spin it forever
            assertThat(seen).as("clients seen with _sort=%s", sort).hasSizeLessThan(2 * atMost);
            bookmark = body.getString("bookmark");
            if (++page == 20) {
                // clients arriving mid-listing, on both sides of the cursor
                for (int i = 0; i < late; i++) {
                    TestMqtt.publishEvent(
                            publisher,
                            "page",
                            connected(prefix + sort + "-late-" + i, NOW.minusSeconds(i * 17L), "c")
                                    .encode());
                }
            }
        } while (bookmark != null);
        assertThat(seen).as("clients seen with _sort=%s", sort).doesNotHaveDuplicates();
        assertThat(seen).as("clients seen with _sort=%s", sort).containsAll(before);
    }

    @Test
    void badParametersGive400NamingThem() {
        expect400(list("connectionStatus", "online"), "connectionStatus");
        expect400(list("connectedAfter", "yesterday"), "connectedAfter");
        expect400(list("activeBefore", "P-2D"), "activeBefore");
        expect400(list("disconnectReasonCode", "x"), "disconnectReasonCode");
        expect400(list("disconnectReasonCode", 256), "disconnectReasonCode");
        expect400(list("disconnectInitiator", "martians"), "disconnectInitiator");
        expect400(list("clientType", "robot"), "clientType");
        expect400(list("_limit", 0), "_limit");
        expect400(list("_limit", 1001), "_limit");
        expect400(list("_limit", "many"), "_limit");
        expect400(list("_sort", "name"), "_sort");
        expect400(list("_bookmark", "not-a-bookmark"), "_bookmark");
        expect400(list("connectionstatus", "connected"), "connectionstatus");
        expect400(list("connectedAfter", "P1D", "lastConnectedAfter", "P2D"), "lastConnectedAfter");
        expect400(list("clientIdPrefix", "x\u0000"), "clientIdPrefix");
    }

    @Test
    void aBookmarkOnlyWorksWithItsOwnSortAndFilter() {
        load();
        String bookmark = list("clientIdPrefix", "d:" + ORG, "_limit", 1)
                .statusCode(200)
                .extract()
                .jsonPath()
                .getString("bookmark");
        assertThat(bookmark).isNotNull();
        list("clientIdPrefix", "d:" + ORG, "_limit", 1, "_bookmark", bookmark)
                .statusCode(200)
                .body("results[0].id", equalTo(A));
        expect400(list("clientIdPrefix", "d:" + ORG, "_sort", "-id", "_bookmark", bookmark), "_bookmark");
        expect400(
                list("clientIdPrefix", "d:" + ORG, "connectionStatus", "connected", "_bookmark", bookmark),
                "_bookmark");
    }

    private static void expect400(ValidatableResponse response, String parameter) {
        response.statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("title", containsString("'" + parameter + "'"));
    }
}
