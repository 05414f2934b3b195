package dev.connmon.schedule;

import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.asAdmin;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.asRoleless;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;

import dev.connmon.lifecycle.EventType;
import dev.connmon.lifecycle.LifecycleEvent;
import dev.connmon.state.ClientCalendar;
import dev.connmon.state.IngestBatch;
import dev.connmon.state.StateRepository;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The maintenance windows' API (docs/api.md §10.6): roles, every field's validation and hostile input, and that a
 * window is what the database holds: the state object, the list's SQL filter and a fresh read of the table agree.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class MaintenanceApiTest {
    static final String PATH = "/api/v0002/maintenance";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Inject
    Pool pool;

    @Inject
    StateRepository repository;

    @Inject
    MaintenanceWindows windows;

    static String inAnHour() {
        return Instant.now().plus(Duration.ofHours(1)).toString();
    }

    static ValidatableResponse post(Object body) {
        return asAdmin()
                .contentType("application/json")
                .body(body.toString())
                .when()
                .post(PATH)
                .then();
    }

    static JsonObject window(String filter) {
        return new JsonObject().put("filter", filter).put("until", inAnHour()).put("reason", "firmware 4.2");
    }

    static void badRequest(Object body, String parameter) {
        post(body)
                .statusCode(400)
                .contentType("application/problem+json")
                .body("title", equalTo("Invalid parameter '" + parameter + "'"));
    }

    private void connect(String id) {
        repository
                .apply(new IngestBatch(
                        List.of(LifecycleEvent.builder(EventType.CONNECTED, id, Instant.now())
                                .connectionId("c1")
                                .dialect("connmon")
                                .build()
                                .fromSource("maintenance")),
                        List.of()))
                .await()
                .atMost(TIMEOUT);
    }

    @Test
    void onlyAdminsPlanAndEndWindowsAndReadersList() {
        String body = window("clientIdPrefix=roles-").encode();
        RestAssured.given()
                .contentType("application/json")
                .body(body)
                .when()
                .post(PATH)
                .then()
                .statusCode(401);
        asReader()
                .contentType("application/json")
                .body(body)
                .when()
                .post(PATH)
                .then()
                .statusCode(403);
        asRoleless()
                .contentType("application/json")
                .body(body)
                .when()
                .post(PATH)
                .then()
                .statusCode(403);
        String id = post(body).statusCode(201).extract().path("id");
        asRoleless().when().get(PATH).then().statusCode(403);
        asReader().when().delete(PATH + "/" + id).then().statusCode(403);
        asReader().when().get(PATH).then().statusCode(200);
        asAdmin().when().delete(PATH + "/" + id).then().statusCode(204);
    }

    @Test
    void aWindowIsListedUntilEndedAndItsClientsAreInMaintenanceMeanwhile() {
        String prefix = "mw-" + UUID.randomUUID() + "-";
        String inside = prefix + "in";
        String outside = "mw-out-" + UUID.randomUUID();
        connect(inside);
        connect(outside);

        var created = post(window("clientIdPrefix=" + prefix)).statusCode(201);
        String id = created.extract().path("id");
        created.header("Location", endsWith(PATH + "/" + id))
                .body("filter", equalTo("clientIdPrefix=" + prefix))
                .body("reason", equalTo("firmware 4.2"))
                .body("active", equalTo(true));

        List<Map<String, Object>> listed = asReader()
                .when()
                .get(PATH)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        assertThat(listed).anySatisfy(w -> assertThat(w).containsEntry("id", id));
        asReader().when().get(PATH + "/" + id).then().statusCode(200).body("id", equalTo(id));

        // the state object, judged in memory, and the list's filter, in SQL, agree
        Api.state(inside).statusCode(200).body("inMaintenance", equalTo(true));
        Api.state(outside).statusCode(200).body("inMaintenance", equalTo(false));
        assertThat(listInMaintenance(prefix, "true")).containsExactly(inside);
        assertThat(listInMaintenance(prefix, "false")).isEmpty();
        // the gauge counts what the list's filter finds across the fleet, a count at most 15 s old
        await().atMost(Duration.ofSeconds(40))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(Api.metric("connmon_clients_in_maintenance"))
                        .isGreaterThanOrEqualTo(1.0)
                        .isEqualTo((double) countInMaintenance()));

        asAdmin().when().delete(PATH + "/" + id).then().statusCode(204);
        asAdmin().when().delete(PATH + "/" + id).then().statusCode(404);
        Api.state(inside).statusCode(200).body("inMaintenance", equalTo(false));
        assertThat(listInMaintenance(prefix, "true")).isEmpty();
        listed = asReader()
                .when()
                .get(PATH)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("$");
        assertThat(listed).noneSatisfy(w -> assertThat(w).containsEntry("id", id));
        // an ended window is history: still there by id, ended
        asReader().when().get(PATH + "/" + id).then().statusCode(200).body("active", equalTo(false));
    }

    @Test
    void windowsAreWhatTheDatabaseHoldsSoAnInstanceThatStartsAfreshReadsThemBack() {
        String prefix = "mw-db-" + UUID.randomUUID() + "-";
        connect(prefix + "1");
        String id = post(window("clientIdPrefix=" + prefix))
                .statusCode(201)
                .extract()
                .path("id");

        // the table itself, read apart from connmon's cache
        Row row = pool.preparedQuery("SELECT filter, reason FROM maintenance_window WHERE id = $1")
                .execute(Tuple.of(Long.parseLong(id)))
                .await()
                .atMost(TIMEOUT)
                .iterator()
                .next();
        assertThat(row.getString("filter")).isEqualTo("clientIdPrefix=" + prefix);
        assertThat(row.getString("reason")).isEqualTo("firmware 4.2");

        // what a restart leaves: nothing in memory (the periodic re-read may race this; the table decides either
        // way); a read of the table brings the window back
        ClientCalendar.windows(List.of());
        windows.refresh().await().atMost(TIMEOUT);
        assertThat(ClientCalendar.active(Instant.now()))
                .anySatisfy(w -> assertThat(w.id()).isEqualTo(Long.parseLong(id)));
        Api.state(prefix + "1").statusCode(200).body("inMaintenance", equalTo(true));
        asAdmin().when().delete(PATH + "/" + id).then().statusCode(204);
    }

    @Test
    void aWindowNotYetBegunIsListedInactiveAndWithdrawnByDelete() {
        String from = Instant.now().plus(Duration.ofHours(1)).toString();
        String until = Instant.now().plus(Duration.ofHours(2)).toString();
        String id = post(new JsonObject()
                        .put("filter", "deviceType=pump")
                        .put("from", from)
                        .put("until", until))
                .statusCode(201)
                .body("active", equalTo(false))
                .body("reason", equalTo(""))
                .extract()
                .path("id");
        asAdmin().when().delete(PATH + "/" + id).then().statusCode(204);
        asReader().when().get(PATH + "/" + id).then().statusCode(404);
    }

    @Test
    void badFieldsAreProblemsNamingThem() {
        badRequest(new JsonObject().put("until", inAnHour()), "filter");
        badRequest(window("connectionStatus=disconnected"), "filter");
        badRequest(window("overdue=true"), "filter");
        badRequest(window("nosuchfilter=1"), "filter");
        badRequest(window("clientType=robot"), "filter");
        badRequest(window("x".repeat(5000)), "filter");
        badRequest(window("").putNull("until"), "until");
        badRequest(window("").put("until", "tomorrow"), "until");
        badRequest(window("").put("until", "PT1H"), "until");
        badRequest(window("").put("until", "2020-01-01T00:00:00Z"), "until");
        badRequest(window("").put("until", "99999-01-01T00:00:00Z"), "until");
        badRequest(
                window("").put("from", Instant.now().plus(Duration.ofHours(2)).toString()), "until");
        badRequest(window("").put("from", "P1D"), "from");
        badRequest(window("").put("reason", "r".repeat(1001)), "reason");
        badRequest(window("").put("reason", 42), "reason");
        badRequest(window("").put("filter", new JsonObject()), "filter");
        badRequest(window("").put("owner", "me"), "owner");
        badRequest("{\"filter\": ", "body");
        badRequest("[1, 2]", "body");
        badRequest("", "body");
        // epoch milliseconds are a time too
        String id = post(window("").put("until", Instant.now().plusSeconds(3600).toEpochMilli()))
                .statusCode(201)
                .extract()
                .path("id");
        asAdmin().when().delete(PATH + "/" + id).then().statusCode(204);
    }

    @Test
    void hostileInputIsRefusedOrTakenLiterally() {
        // a body over the request limit never reaches the resource
        asAdmin()
                .contentType("application/json")
                .body(window("").put("reason", "r".repeat(20_000)).encode())
                .when()
                .post(PATH)
                .then()
                .statusCode(413);
        // tampered ids
        for (String id : List.of("abc", "-1", "0", "1e3", "99999999999999999999", "1%20OR%201=1", "1%3BDROP")) {
            asAdmin()
                    .urlEncodingEnabled(false)
                    .when()
                    .delete(PATH + "/" + id)
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("title", equalTo("Invalid parameter 'id'"));
        }
        asAdmin().when().delete(PATH + "/987654321987").then().statusCode(404);
        asReader().when().get(PATH + "/987654321987").then().statusCode(404);
        asAdmin().when().get(PATH + "?all=true").then().statusCode(400);

        // SQL in a filter value is a value: the window names the clients whose id starts with that text, no other
        String victim = "mw-victim-" + UUID.randomUUID();
        connect(victim);
        String hostile = "x' OR '1'='1";
        String id = post(window(
                        "clientIdPrefix=" + java.net.URLEncoder.encode(hostile, java.nio.charset.StandardCharsets.UTF_8)
                                + "&deviceType=" + "a%27)%20OR%20TRUE%20--"))
                .statusCode(201)
                .extract()
                .path("id");
        Api.state(victim).statusCode(200).body("inMaintenance", equalTo(false));
        assertThat(listInMaintenance("mw-victim-", "true")).isEmpty();
        // a reason is text: control characters and markup come back as sent, JSON-escaped
        String reason = "<script>alert(1)</script>\n\"quoted\" \u0007";
        String other = post(window("clientIdPrefix=mw-reason-").put("reason", reason))
                .statusCode(201)
                .body("reason", equalTo(reason))
                .extract()
                .path("id");
        badRequest(window("").put("reason", "nul\u0000"), "reason");
        asAdmin().when().delete(PATH + "/" + id).then().statusCode(204);
        asAdmin().when().delete(PATH + "/" + other).then().statusCode(204);
    }

    @Test
    void atMostAHundredWindowsAreInForceOrToCome() {
        List<String> made = new ArrayList<>();
        try {
            int open = asReader()
                    .when()
                    .get(PATH)
                    .then()
                    .extract()
                    .jsonPath()
                    .getList("$")
                    .size();
            for (int i = open; i < MaintenanceWindows.MAX_WINDOWS; i++) {
                made.add(post(window("clientIdPrefix=mw-many-" + i))
                        .statusCode(201)
                        .extract()
                        .path("id"));
            }
            post(window("clientIdPrefix=mw-many-last"))
                    .statusCode(409)
                    .contentType("application/problem+json")
                    .body("detail", containsString("end one first"));
        } finally {
            made.forEach(id -> asAdmin().when().delete(PATH + "/" + id).then().statusCode(204));
        }
    }

    /** Every client in a window now, across the fleet, by the list's filter. */
    private static long countInMaintenance() {
        long count = 0;
        String bookmark = null;
        do {
            var request = asReader().queryParam("inMaintenance", "true").queryParam("_limit", 1000);
            if (bookmark != null) {
                request = request.queryParam("_bookmark", bookmark);
            }
            var page =
                    request.when().get(STATES).then().statusCode(200).extract().jsonPath();
            count += page.getList("results").size();
            bookmark = page.getString("bookmark");
        } while (bookmark != null);
        return count;
    }

    private static List<String> listInMaintenance(String prefix, String inMaintenance) {
        return asReader()
                .queryParam("clientIdPrefix", prefix)
                .queryParam("inMaintenance", inMaintenance)
                .when()
                .get(STATES)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results.id");
    }
}
