package dev.connmon.security;

import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.asAdmin;
import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Api.asRoleless;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.connmon.support.ServicesResource;
import dev.connmon.support.SseClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** Stream tokens (docs/api.md §12): issued for an API key, accepted as Bearer and on GET as access_token, checked. */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class StreamTokenTest {
    static final String TOKENS = "/api/v0002/tokens";

    static String token(RequestSpecification key, String... query) {
        RequestSpecification request = key;
        for (int i = 0; i < query.length; i += 2) {
            request = request.queryParam(query[i], query[i + 1]);
        }
        return request.when().post(TOKENS).then().statusCode(201).extract().path("token");
    }

    static RequestSpecification bearer(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    @Test
    void anyKeyGetsATokenThatExpiresAfterItsTtl() {
        Instant before = Instant.now();
        String expiresAt = asReader()
                .when()
                .post(TOKENS)
                .then()
                .statusCode(201)
                .contentType("application/json")
                .extract()
                .path("expiresAt");
        assertThat(Instant.parse(expiresAt))
                .isBetween(
                        before.plus(Duration.ofMinutes(15)).minusSeconds(2),
                        Instant.now().plus(Duration.ofMinutes(15)));
        String hour = asAdmin()
                .queryParam("ttl", "PT1H")
                .when()
                .post(TOKENS)
                .then()
                .statusCode(201)
                .extract()
                .path("expiresAt");
        assertThat(Instant.parse(hour)).isAfter(before.plus(Duration.ofMinutes(59)));
        // a key without roles gets a token without roles: refused where the key is refused
        bearer(token(asRoleless())).when().get(STATES).then().statusCode(403);
    }

    @Test
    void aBadTtlOrRoleIs400() {
        for (String ttl : new String[] {"PT1H1S", "P1D", "fifteen", "PT0S", "-PT1M", ""}) {
            asReader()
                    .queryParam("ttl", ttl)
                    .when()
                    .post(TOKENS)
                    .then()
                    .statusCode(400)
                    .contentType("application/problem+json")
                    .body("title", containsString("'ttl'"));
        }
        asAdmin()
                .queryParam("role", "admin")
                .when()
                .post(TOKENS)
                .then()
                .statusCode(400)
                .body("title", containsString("'role'"));
        asReader()
                .queryParam("lifetime", "PT1M")
                .when()
                .post(TOKENS)
                .then()
                .statusCode(400)
                .body("title", containsString("'lifetime'"));
        given().when().post(TOKENS).then().statusCode(401).contentType("application/problem+json");
    }

    /** The dashboard's login form marks its requests: a wrong key must not open the browser's Basic dialog. */
    @Test
    void aScriptsWrongKeyGetsNoBasicChallenge() {
        given().auth()
                .preemptive()
                .basic("test-reader", "wrong")
                .header("X-Requested-With", "connmon-dashboard")
                .when()
                .post(TOKENS)
                .then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer realm=\"connmon\"");
        given().auth()
                .preemptive()
                .basic("test-reader", "wrong")
                .when()
                .post(TOKENS)
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", "Basic realm=\"connmon\"");
    }

    @Test
    void aTokenIsAcceptedAsBearerAndOnGetAsAccessToken() {
        String token = token(asReader());
        bearer(token).when().get(STATES).then().statusCode(200);
        bearer(token).when().get(STATES + "/nobody-here").then().statusCode(404);
        // access_token is credentials, not an unknown filter: the list and the stream take it beside their own
        given().queryParam("access_token", token)
                .queryParam("_limit", 5)
                .when()
                .get(STATES)
                .then()
                .statusCode(200);
        given().queryParam("access_token", token)
                .when()
                .get(STATES + "/nobody-here")
                .then()
                .statusCode(404);
        assertThat(SseClient.status(STATES + "?connectionStatus=connected&access_token=" + token, null))
                .isEqualTo(200);
        // a token in a URL is only for reading
        given().queryParam("access_token", token(asAdmin()))
                .when()
                .delete(STATES + "/nobody-here")
                .then()
                .statusCode(401);
    }

    @Test
    void aTokenNarrowedToReaderCannotDelete() {
        bearer(token(asAdmin(), "role", "reader"))
                .when()
                .delete(STATES + "/nobody-here")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        bearer(token(asAdmin())).when().delete(STATES + "/nobody-here").then().statusCode(404);
        bearer(token(asReader(), "role", "reader")).when().get(STATES).then().statusCode(200);
        // narrowing cannot widen: a key that cannot read gets no reader token
        asRoleless().queryParam("role", "reader").when().post(TOKENS).then().statusCode(403);
    }

    @Test
    void expiredTamperedAndForeignTokensAre401() throws Exception {
        PrivateKey signingKey = KeyUtils.decodePrivateKey(Files.readString(
                Path.of(ConfigProvider.getConfig().getValue("connmon.tokens.signing-key", String.class))));
        Instant now = Instant.now();
        String issuer = ConfigProvider.getConfig().getValue("mp.jwt.verify.issuer", String.class);
        String expired = Jwt.issuer(issuer)
                .upn("test-reader")
                .groups(Set.of("reader"))
                .issuedAt(now.minus(Duration.ofHours(2)))
                .expiresAt(now.minus(Duration.ofMinutes(5)))
                .sign(signingKey);
        // the control: made the same way, unexpired, it is accepted, so the 401 below is the expiry's
        bearer(Jwt.issuer(issuer)
                        .upn("test-reader")
                        .groups(Set.of("reader"))
                        .expiresAt(now.plusSeconds(300))
                        .sign(signingKey))
                .when()
                .get(STATES)
                .then()
                .statusCode(200);
        String foreign = Jwt.issuer(issuer)
                .upn("test-admin")
                .groups(Set.of("reader", "admin"))
                .expiresAt(now.plus(Duration.ofMinutes(5)))
                .sign(KeyUtils.generateKeyPair(2048).getPrivate());
        String[] parts = token(asReader()).split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"groups\":[\"reader\"]", "\"groups\":[\"admin\",\"reader\"]");
        assertThat(claims).contains("admin");
        String tampered = parts[0] + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "."
                + parts[2];
        String unsigned = Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
                + "." + parts[1] + ".";
        for (String bad : new String[] {expired, foreign, tampered, unsigned, "not-a-jwt"}) {
            bearer(bad)
                    .when()
                    .get(STATES)
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json")
                    .body("status", equalTo(401));
            given().queryParam("access_token", bad)
                    .when()
                    .get(STATES)
                    .then()
                    .statusCode(401)
                    .contentType("application/problem+json");
            assertThat(SseClient.status(STATES + "?access_token=" + bad, null)).isEqualTo(401);
        }
        bearer(tampered).when().delete(STATES + "/nobody-here").then().statusCode(401);
    }

    @Test
    void onlyTheApiKeyMintsTokens() {
        bearer(token(asAdmin())).when().post(TOKENS).then().statusCode(403).contentType("application/problem+json");
    }

    @Test
    void corsIsOffByDefault() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        HttpResponse<String> preflight = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + STATES))
                                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                                .header("Origin", "http://localhost:1")
                                .header("Access-Control-Request-Method", "GET")
                                .header("Access-Control-Request-Headers", "authorization")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.headers().map().keySet())
                .noneMatch(h -> h.toLowerCase().startsWith("access-control"));
        asReader()
                .header("Origin", "http://localhost:1")
                .when()
                .get(STATES)
                .then()
                .statusCode(200)
                .header("Access-Control-Allow-Origin", (String) null);
    }
}
