package dev.connmon.api;

import static dev.connmon.support.Api.LOGS;
import static dev.connmon.support.Api.REJECTED;
import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.SUMMARY;
import static dev.connmon.support.Api.asAdmin;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.asRoleless;
import static dev.connmon.support.Events.connected;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.SseClient;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Every error status as problem+json (docs/api.md §2, §5), and API keys on every endpoint. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class ApiErrorsAndSecurityTest {

    /** Each endpoint, as a request that succeeds with the right role. */
    private static final List<Function<RequestSpecification, io.restassured.response.Response>> READ_ENDPOINTS =
            List.of(
                    r -> r.when().get(STATES),
                    r -> r.when().get(STATES + "/some-client"),
                    r -> r.queryParam("clientId", "some-client").when().get(LOGS),
                    r -> r.when().get(SUMMARY));

    @Test
    void everyEndpointNeedsCredentials() {
        for (var endpoint : READ_ENDPOINTS) {
            endpoint.apply(given())
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Basic"));
            endpoint.apply(given().auth().preemptive().basic("test-reader", "wrong"))
                    .then()
                    .statusCode(401);
            endpoint.apply(given().auth().preemptive().basic("nobody", "reader-token"))
                    .then()
                    .statusCode(401);
        }
        given().when().delete(STATES + "/x").then().statusCode(401);
        given().when().get(REJECTED).then().statusCode(401);
        assertThat(SseClient.status(STATES, null)).isEqualTo(401);
        assertThat(SseClient.status(STATES, "test-reader:wrong")).isEqualTo(401);
    }

    @Test
    void aKeyWithoutRolesIsForbiddenEverywhere() {
        for (var endpoint : READ_ENDPOINTS) {
            endpoint.apply(asRoleless()).then().statusCode(403).contentType("application/problem+json");
        }
        assertThat(SseClient.status(STATES, "test-roleless:roleless-token")).isEqualTo(403);
        asRoleless().when().get(REJECTED).then().statusCode(403).contentType("application/problem+json");
        asRoleless().when().delete(STATES + "/x").then().statusCode(403).contentType("application/problem+json");
    }

    /**
     * No endpoint consumes a body, so none can answer 415: a body of any media type is ignored, and the request
     * gets the answer it gets without one (not a 500).
     */
    @Test
    void aBodyIsIgnoredSinceNoEndpointConsumesOne() {
        asAdmin()
                .contentType("application/xml")
                .body("<client/>")
                .when()
                .delete(STATES + "/nobody-here")
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
        asReader()
                .contentType("application/xml")
                .body("<client/>")
                .when()
                .get(STATES)
                .then()
                .statusCode(200);
    }

    @Test
    void healthAndMetricsStayOpen() {
        given().when().get("/q/health/live").then().statusCode(200);
        given().when().get("/q/metrics").then().statusCode(200);
    }

    @Test
    void deleteForgetsStateAndLog() {
        String id = "forget-me/" + UUID.randomUUID();
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("delete-" + UUID.randomUUID());
        TestMqtt.publishEvent(
                publisher,
                "delete",
                connected(id, Instant.parse("2026-11-01T00:00:00Z"), "c").encode());
        publisher.disconnect().join();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> Api.state(id).statusCode(200));

        asAdmin()
                .urlEncodingEnabled(false)
                .when()
                .delete(STATES + "/" + Api.segment(id))
                .then()
                .statusCode(204);
        Api.state(id).statusCode(404);
        asReader()
                .queryParam("clientId", id)
                .when()
                .get(LOGS)
                .then()
                .statusCode(200)
                .body("size()", equalTo(0));
        asAdmin()
                .urlEncodingEnabled(false)
                .when()
                .delete(STATES + "/" + Api.segment(id))
                .then()
                .statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void otherErrorStatusesAreProblems() {
        asReader()
                .when()
                .get("/api/v0002/nothing-here")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404));
        asReader()
                .when()
                .post(STATES)
                .then()
                .statusCode(405)
                .contentType("application/problem+json")
                .body("status", equalTo(405));
        asReader()
                .accept("application/xml")
                .when()
                .get(STATES)
                .then()
                .statusCode(406)
                .contentType("application/problem+json")
                .body("status", equalTo(406));
        asReader()
                .queryParam("bogus", "1")
                .when()
                .get(STATES + "/x")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void nothingInternalLeaksIntoErrors() {
        String injection = "x' OR '1'='1";
        asReader()
                .queryParam("clientIdPrefix", injection)
                .when()
                .get(STATES)
                .then()
                .statusCode(200)
                .body("results.size()", equalTo(0));
        asReader()
                .queryParam("connectedAfter", "1'; DROP TABLE client_state; --")
                .when()
                .get(STATES)
                .then()
                .statusCode(400)
                .body(not(containsString("SQL")))
                .body(not(containsString("Exception")));
        asReader().queryParam("clientId", injection).when().get(LOGS).then().statusCode(200);
    }
}
