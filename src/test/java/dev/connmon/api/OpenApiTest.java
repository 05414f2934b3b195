package dev.connmon.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import dev.connmon.query.FilterParameter;
import dev.connmon.query.StateFilter;
import dev.connmon.support.ServicesResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OpenAPI document describes every endpoint and parameter; Swagger UI is served. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class OpenApiTest {

    @Test
    void documentDescribesTheApi() {
        given().accept("application/json")
                .when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body(
                        "paths.'/api/v0002/clientconnectionstates'.get.parameters.name",
                        hasItems(
                                "connectionStatus",
                                "connectedAfter",
                                "lastConnectedAfter",
                                "disconnectedBefore",
                                "activeAfter",
                                "disconnectInitiator",
                                "disconnectReasonCode",
                                "clientIdPrefix",
                                "clientType",
                                "deviceType",
                                "deviceId",
                                "_limit",
                                "_sort",
                                "_bookmark"))
                .body(
                        "paths.'/api/v0002/logs/connection'.get.parameters.name",
                        hasItems("clientId", "typeId", "deviceId", "since", "until", "_limit"))
                .body("paths.'/api/v0002/rejected'.get", notNullValue())
                .body("components.schemas.ClientState.properties.lastDisconnectReasonCode", notNullValue())
                .body("paths.'/api/v0002/tokens'.post.parameters.name", hasItems("ttl", "role"))
                .body("components.securitySchemes.streamToken.scheme", equalTo("bearer"))
                .body("components.securitySchemes", notNullValue());
    }

    /** docs/api.md is the contract: an endpoint it does not name is one nobody promised. */
    @Test
    void everyPathOfTheDocumentIsInTheContract() throws Exception {
        String contract = Files.readString(Path.of("docs/api.md"));
        Map<String, Object> paths = given().accept("application/json")
                .when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("paths");
        assertThat(paths).isNotEmpty();
        // the contract writes a path parameter as {clientId}; OpenAPI may add its regex ({clientId: .+})
        assertThat(paths.keySet().stream().map(path -> path.replaceAll("\\{(\\w+)[^}]*}", "{$1}")))
                .allSatisfy(path ->
                        assertThat(contract).as("docs/api.md names %s", path).contains(path));
    }

    @Test
    void fleetHealthIsDescribedWithExamples() {
        String availability = "paths.'/api/v0002/clientconnectionstates/{clientId}/availability'.get";
        given().accept("application/json")
                .when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .body(availability + ".parameters.name", hasItems("clientId", "since", "until", "step"))
                .body(
                        availability + ".responses.'200'.content.'application/json'.examples.'two outages'.value",
                        notNullValue())
                .body(availability + ".responses.'404'", notNullValue())
                .body(
                        "paths.'/api/v0002/fleet/timeline'.get.parameters.name",
                        hasItems("since", "until", "step", "clientType", "deviceType"))
                .body(
                        "paths.'/api/v0002/fleet/timeline'.get.responses.'200'.content.'application/json'"
                                + ".examples.'one day'.value",
                        notNullValue())
                .body("paths.'/api/v0002/clientconnectionstates'.get.parameters.name", hasItems("flapping"))
                .body(
                        "paths.'/api/v0002/clientconnectionstates'.get.responses.'200'.content.'text/csv'",
                        notNullValue())
                .body("paths.'/api/v0002/logs/connection'.get.responses.'200'.content.'text/csv'", notNullValue())
                .body("components.schemas.ClientState.properties.flapping", notNullValue())
                .body("components.schemas.ClientState.properties.flappingSince", notNullValue())
                .body("components.schemas.Availability.properties.longestOutage", notNullValue())
                .body("components.schemas.Timeline.properties.buckets", notNullValue());
    }

    /**
     * The list's filters come from one model (StateFilter.Field) and are not annotated fields: every one of them,
     * and every alias, is a query parameter of the list, described, with a schema.
     */
    @Test
    void everyFilterOfTheModelIsAParameterOfTheList() {
        List<Map<String, Object>> parameters = given().accept("application/json")
                .when()
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("paths.'/api/v0002/clientconnectionstates'.get.parameters");
        for (StateFilter.Field field : StateFilter.Field.values()) {
            FilterParameter filter = field.parameter();
            for (String name :
                    filter.alias() == null ? List.of(filter.name()) : List.of(filter.name(), filter.alias())) {
                assertThat(parameters)
                        .as("parameter %s", name)
                        .filteredOn(p -> name.equals(p.get("name")))
                        .singleElement()
                        .satisfies(p -> {
                            assertThat(p.get("in")).isEqualTo("query");
                            assertThat((String) p.get("description")).isNotBlank();
                            assertThat(p.get("schema")).isNotNull();
                        });
            }
        }
    }

    @Test
    void swaggerUiIsServed() {
        given().when().get("/q/swagger-ui/").then().statusCode(200).body(containsString("swagger"));
    }
}
