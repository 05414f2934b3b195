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
    public static final String SUMMARY = "/api/v0002/summary";

    private Api() {}

    public static RequestSpecification asReader() {
        return closing().auth().preemptive().basic("test-reader", "reader-token");
    }

    public static RequestSpecification asAdmin() {
        return closing().auth().preemptive().basic("test-admin", "admin-token");
    }

    /**
     * REST Assured makes a client per request and never closes its connection: the server would hold each one for
     * its idle timeout, and a test's loop of requests would reach connmon's connection limit. Each request here asks
     * the server to close its connection once it has answered.
     */
    private static RequestSpecification closing() {
        return RestAssured.given().header("Connection", "close");
    }

    /** A valid key that holds no role. */
    public static RequestSpecification asRoleless() {
        return RestAssured.given().auth().preemptive().basic("test-roleless", "roleless-token");
    }

    /** One path segment, percent-encoded: {@code /}, {@code +}, {@code #}, spaces and all. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static ValidatableResponse state(String clientId) {
        return asReader()
                .urlEncodingEnabled(false)
                .when()
                .get(STATES + "/" + segment(clientId))
                .then();
    }

    /** A Prometheus metric of the application under test, summed over the series carrying every given label. */
    public static double metric(String name, String... labels) {
        return metricIn(
                RestAssured.given()
                        .when()
                        .get("/q/metrics")
                        .then()
                        .statusCode(200)
                        .extract()
                        .asString(),
                name,
                labels);
    }

    /**
     * A metric in Prometheus text, summed over the series carrying every given label ({@code dialect="connmon"}),
     * or NaN when no series matches.
     */
    public static double metricIn(String prometheusText, String name, String... labels) {
        double sum = Double.NaN;
        for (String line : prometheusText.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            String series = line.substring(0, line.lastIndexOf(' '));
            if (java.util.Arrays.stream(labels).allMatch(series::contains)) {
                double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                sum = Double.isNaN(sum) ? value : sum + value;
            }
        }
        return sum;
    }
}
