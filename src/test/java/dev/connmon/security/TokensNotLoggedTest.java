package dev.connmon.security;

import static dev.connmon.security.StreamTokenTest.TOKENS;
import static dev.connmon.security.StreamTokenTest.bearer;
import static dev.connmon.security.StreamTokenTest.token;
import static dev.connmon.support.Api.STATES;
import static dev.connmon.support.Api.asAdmin;
import static dev.connmon.support.Api.asReader;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.connmon.live.CrossOriginProfile;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.SseClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Stream tokens never reach the logs (docs/api.md §12), with the access log on and requests that fail. */
@Tag("long")
@QuarkusTest
@TestProfile(CrossOriginProfile.class)
@QuarkusTestResource(ServicesResource.class)
class TokensNotLoggedTest {

    @Test
    void tokensAppearInNoLogLine() {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = record.getMessage();
                if (record.getParameters() != null && record.getParameters().length > 0) {
                    message = message + " " + java.util.Arrays.toString(record.getParameters());
                }
                lines.add(message + (record.getThrown() == null ? "" : " " + record.getThrown()));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        capture.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            String reader = token(asReader());
            String admin = token(asAdmin());
            String tampered = reader.substring(0, reader.length() - 4) + "AAAA";
            // accepted, refused, failed: as header and as query parameter
            given().queryParam("access_token", reader)
                    .queryParam("_limit", 3)
                    .when()
                    .get(STATES)
                    .then()
                    .statusCode(200);
            given().queryParam("access_token", reader)
                    .queryParam("_limit", "many")
                    .when()
                    .get(STATES)
                    .then()
                    .statusCode(400);
            given().queryParam("access_token", reader)
                    .when()
                    .get(STATES + "/nobody-here")
                    .then()
                    .statusCode(404);
            given().queryParam("access_token", reader)
                    .when()
                    .get("/no/such/page")
                    .then()
                    .statusCode(404);
            given().queryParam("access_token", tampered)
                    .when()
                    .get(STATES)
                    .then()
                    .statusCode(401);
            given().queryParam("access_token", admin)
                    .when()
                    .delete(STATES + "/nobody-here")
                    .then()
                    .statusCode(401);
            bearer(tampered).when().get(STATES).then().statusCode(401);
            bearer(admin).when().post(TOKENS).then().statusCode(403);
            assertThat(SseClient.status(STATES + "?access_token=" + reader, null))
                    .isEqualTo(200);
            assertThat(SseClient.status(STATES + "?access_token=" + tampered, null))
                    .isEqualTo(401);

            // the access log is on and written: the requests above are in it, by path
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> lines.stream()
                                    .filter(line -> line.contains("/no/such/page"))
                                    .count()
                            >= 1);
            assertThat(lines).anyMatch(line -> line.contains("GET " + STATES + " "));
            for (String token : List.of(reader, admin, tampered)) {
                String signature = token.substring(token.lastIndexOf('.') + 1);
                assertThat(lines).noneMatch(line -> line.contains(signature));
            }
        } finally {
            root.removeHandler(capture);
        }
    }
}
