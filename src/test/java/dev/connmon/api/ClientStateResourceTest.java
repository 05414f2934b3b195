package dev.connmon.api;

import static dev.connmon.support.Api.state;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Errors of the single-client GET (docs/api.md §2): problem+json, never a 500. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class ClientStateResourceTest {

    @Test
    void unknownClientGives404Problem() {
        state("never-seen")
                .statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("title", equalTo("Client not found"))
                .body("detail", containsString("never-seen"));
    }

    @Test
    void clientIdThatCannotExistGives400NamingIt() {
        Api.asReader()
                .urlEncodingEnabled(false)
                .when()
                .get("/api/v0002/clientconnectionstates/bad%00id")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("title", containsString("clientId"))
                .body("detail", equalTo("clientId contains U+0000"));
    }

    @Test
    void healthIsReadyWithDatabaseAndBroker() {
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }
}
