package dev.connmon.support;

import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The REST API as tests call it, with the API keys of the test profile (application.properties, %test). */
public final class Api {
    public static final String STATES = "/api/v0002/clientconnectionstates";
    public static final String LOGS = "/api/v0002/logs/connection";
    public static final String REJECTED = "/api/v0002/rejected";

    private Api() {
    }

    public static RequestSpecification asReader() {
        return RestAssured.given().auth().preemptive().basic("test-reader", "reader-token");
    }

    public static RequestSpecification asAdmin() {
        return RestAssured.given().auth().preemptive().basic("test-admin", "admin-token");
    }

    /** One path segment, percent-encoded: {@code /}, {@code +}, {@code #}, spaces and all. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static ValidatableResponse state(String clientId) {
        return asReader().urlEncodingEnabled(false).when().get(STATES + "/" + segment(clientId)).then();
    }
}
