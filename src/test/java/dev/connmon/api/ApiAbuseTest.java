package dev.connmon.api;

import static dev.connmon.support.Api.asAdmin;
import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.connmon.query.FilterParameter;
import dev.connmon.query.StateFilter;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.SseClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * Hostile requests: injection in every query parameter and path, oversized requests, a key opening stream after
 * stream. None gets a 500 or leaks SQL or a stack trace; the dashboard carries its security headers.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class ApiAbuseTest {
    /** Values that break naive SQL, path handling, parsers or PostgreSQL's text type. */
    private static final List<String> HOSTILE = List.of(
            "' OR '1'='1",
            "'; DROP TABLE client_state; --",
            "1 OR 1=1",
            "\" OR \"\"=\"",
            "$1",
            "%",
            "_",
            "\\",
            "%00",
            "\u0000",
            "a\u0000b",
            "\uFFFF",
            "\uD83D\uDE00",
            "../../etc/passwd",
            "${jndi:ldap://x}",
            "<script>alert(1)</script>",
            "-1",
            "99999999999999999999999",
            "1e309",
            "NaN",
            "P99999999999999D",
            "-P1D",
            "9999-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "+275760-09-13T00:00:00Z",
            "PT-0.000000001S",
            "{\"$ne\":null}",
            " ",
            "",
            "x".repeat(3000));

    private static final Map<String, List<String>> PARAMETERS = Map.of(
            Api.STATES,
            List.copyOf(StateListRequest.NAMES),
            Api.LOGS,
            List.of("clientId", "typeId", "deviceId", "since", "until", "_limit"),
            Api.REJECTED,
            List.of("beforeId", "_limit"),
            "/api/v0002/summary",
            List.of("silentFor", "unknownParameter"),
            "/api/v0002/fleet/disconnect-reasons",
            List.of("since", "clientType", "deviceType", "_limit"));

    @Test
    void injectionInEveryQueryParameterIsA400OrAnEmptyAnswer() {
        List<String> failures = new ArrayList<>();
        PARAMETERS.forEach((path, names) -> {
            for (String name : names) {
                for (String value : HOSTILE) {
                    var request = asAdmin().queryParam(name, value);
                    // the log needs a subject: a harmless one when the parameter under test is not one
                    if (path.equals(Api.LOGS)
                            && !List.of("clientId", "typeId", "deviceId").contains(name)) {
                        request.queryParam("clientId", "abuse-nobody");
                    }
                    Response response = request.when().get(path);
                    check(path + "?" + name + "=" + printable(value), response, failures);
                }
            }
        });
        assertThat(failures).isEmpty();
    }

    /** Times outside the years 1 to 9999 (§2: connmon stores none), as instants, epoch milliseconds and "ago". */
    private static final List<String> FAR_TIMES = List.of(
            "-999999999-01-01T00:00:00Z",
            "+999999999-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
            "0000-12-31T23:59:59.999Z",
            "-999999999999999999",
            "999999999999999999",
            "P999999Y",
            "PT87600000H",
            "PT2562047788015215H");

    /** Durations whose milliseconds overflow a long, or that reach before the year 1. */
    private static final List<String> FAR_DURATIONS =
            List.of("PT2562047788015215H", "P106751991167300D", "PT87660000H");

    @Test
    void aTimeOutsideTheYears1To9999IsA400NamingTheParameter() {
        List<String> times = Arrays.stream(StateFilter.Field.values())
                .map(StateFilter.Field::parameter)
                .filter(p -> p.type() == FilterParameter.Type.TIME)
                .flatMap(p -> p.alias() == null ? Stream.of(p.name()) : Stream.of(p.name(), p.alias()))
                .toList();
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        parameters.put(Api.STATES, times);
        parameters.put(Api.LOGS + "?clientId=abuse-nobody", List.of("since", "until"));
        parameters.put(Api.STATES + "/abuse-nobody/availability", List.of("since", "until"));
        parameters.put("/api/v0002/fleet/timeline", List.of("since", "until"));
        parameters.put("/api/v0002/fleet/disconnect-reasons", List.of("since"));
        List<String> failures = new ArrayList<>();
        parameters.forEach((path, names) -> {
            for (String name : names) {
                for (String value : FAR_TIMES) {
                    // the list and the log also export CSV (§10.4)
                    boolean csv = path.equals(Api.STATES) || path.startsWith(Api.LOGS);
                    for (String accept : csv ? List.of("application/json", "text/csv") : List.of("application/json")) {
                        requireBadParameter(
                                path + " " + name + "=" + value + " (" + accept + ")",
                                asAdmin()
                                        .accept(accept)
                                        .queryParam(name, value)
                                        .when()
                                        .get(path),
                                name,
                                failures);
                    }
                }
            }
        });
        Map<String, String> durations = Map.of(
                Api.STATES + "/abuse-nobody/availability",
                "step",
                "/api/v0002/fleet/timeline",
                "step",
                Api.SUMMARY,
                "silentFor");
        durations.forEach((path, name) -> {
            for (String value : FAR_DURATIONS) {
                requireBadParameter(
                        path + " " + name + "=" + value,
                        asAdmin().queryParam(name, value).when().get(path),
                        name,
                        failures);
            }
        });
        assertThat(failures).isEmpty();
    }

    @Test
    void aBookmarkThisApiNeverWroteIsA400() {
        String filter = new StateListRequest().fingerprint();
        long now = Instant.now().toEpochMilli();
        List<String[]> cases = new ArrayList<>();
        String[] sorts = {"id", "lastConnectTime"};
        for (String sort : sorts) {
            String head = "{\"s\":\"" + sort + "\",\"f\":\"" + filter + "\",";
            for (String body : List.of(
                    "\"t\":" + now + ",\"i\":\"a\\u0000b\"}",
                    "\"t\":" + now + ",\"i\":\"\\ud800\"}",
                    "\"t\":" + Long.MAX_VALUE + ",\"i\":\"a\"}",
                    "\"t\":" + Long.MIN_VALUE + ",\"i\":\"a\"}",
                    "\"t\":1e400,\"i\":\"a\"}",
                    "\"t\":" + now + ",\"i\":\"a\",\"k\":" + Long.MAX_VALUE + "}",
                    "\"t\":" + now + ",\"i\":\"a\",\"k\":" + Long.MIN_VALUE + "}",
                    "\"t\":" + now + ",\"i\":\"a\",\"k\":-62135596800001}",
                    "\"t\":" + now + ",\"i\":\"a\",\"k\":1e400}",
                    "\"t\":" + now + ",\"i\":\"a\",\"k\":\"soon\"}",
                    "\"t\":" + now + ",\"i\":7}",
                    "\"t\":" + now + "}")) {
                cases.add(new String[] {sort, json(head + body)});
            }
            for (String raw : List.of(
                    "!!!",
                    "a+b/c==",
                    "%00",
                    json("[1,2,3]"),
                    json("{}"),
                    json("null"),
                    json("\u0000"),
                    json("{\"s\":\"" + sort + "\"}"),
                    Base64.getUrlEncoder().encodeToString(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}),
                    "x".repeat(2000))) {
                cases.add(new String[] {sort, raw});
            }
        }
        List<String> failures = new ArrayList<>();
        for (String[] c : cases) {
            requireBadParameter(
                    "states _sort=" + c[0] + " _bookmark=" + c[1],
                    asAdmin()
                            .queryParam("_sort", c[0])
                            .queryParam("_bookmark", c[1])
                            .when()
                            .get(Api.STATES),
                    "_bookmark",
                    failures);
        }
        for (String raw : List.of(
                "!!!",
                json("alerts:"),
                json("alerts:99999999999999999999"),
                json("alerts:1e3"),
                json("alerts:\u0000"),
                json("states:1"))) {
            requireBadParameter(
                    "alerts _bookmark=" + raw,
                    asAdmin().queryParam("_bookmark", raw).when().get("/api/v0002/alerts"),
                    "_bookmark",
                    failures);
        }
        assertThat(failures).isEmpty();
    }

    private static String json(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void requireBadParameter(String what, Response response, String name, List<String> failures) {
        String body = response.asString();
        if (response.statusCode() != 400
                || !String.valueOf(response.contentType()).startsWith("application/problem+json")
                || !body.contains("\"Invalid parameter '" + name + "'\"")) {
            failures.add(what + " -> " + response.statusCode() + " " + abbreviate(body));
        }
    }

    @Test
    void injectionInThePathIsA404OrA400() {
        List<String> failures = new ArrayList<>();
        for (String value : HOSTILE) {
            if (value.isEmpty()) {
                continue;
            }
            Response get = asAdmin().urlEncodingEnabled(false).when().get(Api.STATES + "/" + Api.segment(value));
            check("GET state " + printable(value), get, failures);
            Response delete = asAdmin().urlEncodingEnabled(false).when().delete(Api.STATES + "/" + Api.segment(value));
            check("DELETE state " + printable(value), delete, failures);
            if (get.statusCode() == 200) {
                failures.add("GET state " + printable(value) + " found a client nobody made");
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void aBodyLargerThanTheLimitIsRefusedUnread() {
        int status = asAdmin()
                .contentType("application/json")
                .body("x".repeat(64 * 1024))
                .when()
                .delete(Api.STATES + "/abuse-body")
                .statusCode();
        assertThat(status).isEqualTo(413);
    }

    @Test
    void anOverlongRequestLineIsRefused() {
        int status = asReader()
                .urlEncodingEnabled(false)
                .when()
                .get(Api.STATES + "?clientIdPrefix=" + "x".repeat(20_000))
                .statusCode();
        assertThat(status).isEqualTo(414);
    }

    @Test
    void oneKeyHoldsAtMostItsQuotaOfLiveStreams() {
        int quota = ConfigProvider.getConfig().getValue("connmon.live.max-streams-per-key", Integer.class);
        String url = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class)
                + Api.STATES;
        List<SseClient> streams = new ArrayList<>();
        try {
            for (int i = 0; i < quota; i++) {
                streams.add(SseClient.openUrl(url, "test-streamer:streamer-token"));
            }
            // every stream is open once it has had a keep-alive comment
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> streams.stream().allMatch(s -> !s.named(":").isEmpty()));

            Response refused = RestAssured.given()
                    .auth()
                    .preemptive()
                    .basic("test-streamer", "streamer-token")
                    .accept("text/event-stream")
                    .when()
                    .get(Api.STATES);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.header("Retry-After")).isNotNull();
            // other keys are not affected
            try (SseClient other = SseClient.open(Api.STATES)) {
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> !other.named(":").isEmpty());
            }

            // a closed stream gives its place back
            streams.remove(0).close();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> RestAssured.given()
                                    .auth()
                                    .preemptive()
                                    .basic("test-streamer", "streamer-token")
                                    .accept("application/json")
                                    .when()
                                    .get(Api.STATES)
                                    .statusCode()
                            == 200);
            SseClient again = SseClient.openUrl(url, "test-streamer:streamer-token");
            streams.add(again);
            await().atMost(Duration.ofSeconds(10)).until(() -> !again.named(":").isEmpty());
        } finally {
            streams.forEach(SseClient::close);
        }
    }

    @Test
    void theDashboardCarriesItsSecurityHeaders() {
        Response page = RestAssured.given().when().get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.header("Content-Security-Policy"))
                .contains("default-src 'none'")
                .contains("script-src 'self'")
                .contains("frame-ancestors 'none'");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        // the policy holds because the page needs nothing it forbids: no inline script, style or handler
        String html = page.asString();
        assertThat(html)
                .doesNotContain("style=")
                .doesNotContainPattern("<script(?![^>]*\\ssrc=)")
                .doesNotContainPattern("\\son[a-z]+=");
        assertThat(RestAssured.given().get("/webjars/uplot/dist/uPlot.esm.js").statusCode())
                .as("uPlot, served by connmon")
                .isEqualTo(200);
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("Referrer-Policy")).isEqualTo("no-referrer");
        assertThat(asReader().when().get(Api.STATES).header("X-Content-Type-Options"))
                .isEqualTo("nosniff");
    }

    private static void check(String what, Response response, List<String> failures) {
        int status = response.statusCode();
        String body = response.asString();
        if (status >= 500 || !(status == 200 || status == 400 || status == 404 || status == 414)) {
            failures.add(what + " -> " + status + " " + abbreviate(body));
        }
        String lower = body.toLowerCase();
        for (String leak : List.of(
                "sqlstate",
                "syntax error",
                "postgres",
                "exception",
                "select ",
                "relation ",
                "\tat ",
                "java.",
                "dev.connmon.")) {
            if (lower.contains(leak)) {
                failures.add(what + " leaks '" + leak.strip() + "': " + abbreviate(body));
            }
        }
        if (status == 200 && body.contains("abuse-")) {
            failures.add(what + " returned data it should not: " + abbreviate(body));
        }
    }

    private static String printable(String value) {
        String shown = value.replace("\u0000", "\\0");
        return shown.length() > 40 ? shown.substring(0, 40) + "…(" + shown.length() + ")" : shown;
    }

    private static String abbreviate(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
}
