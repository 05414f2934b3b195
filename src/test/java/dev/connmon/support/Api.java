package dev.connmon.support;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The REST API as tests call it. */
public final class Api {
    public static final String STATES = "/api/v0002/clientconnectionstates/";

    private Api() {
    }

    /** One path segment, percent-encoded: {@code /}, {@code +}, {@code #}, spaces and all. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static ValidatableResponse state(String clientId) {
        return given().urlEncodingEnabled(false).when().get(STATES + segment(clientId)).then();
    }
}
