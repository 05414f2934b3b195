package dev.connmon.fleet;

import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fleet metrics in /q/metrics (docs/api.md §5) through the real pipeline, without Prometheus: lifecycle events
 * counted as they commit with bounded labels, the allow-listed clients capped (connmon.metrics.clients-max=3 in the
 * test profile), connmon_clients as the newest sample holds it, connmon_clients_flapping as the summary counts it.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class FleetMetricsTest {
    private static final Instant T = Instant.parse("2026-12-02T08:00:00.000Z");
    private static final Pattern DEVICE_TYPE = Pattern.compile("^connmon_clients\\{.*device_type=\"([^\"]*)\"");

    @Inject
    FleetGauges gauges;

    @Inject
    TimelineSampler sampler;

    @Inject
    Pool pool;

    private static String metrics() {
        return RestAssured.given()
                .when()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    private static double events(String event, String reasonCode) {
        double value = Api.metric(
                "connmon_lifecycle_events_total", "event=\"" + event + "\"", "reason_code=\"" + reasonCode + "\"");
        return Double.isNaN(value) ? 0 : value;
    }

    @Test
    void storedEventsAreCountedWithBoundedReasonCodes() {
        String id = "d:fm:pump:" + UUID.randomUUID().toString().substring(0, 8);
        double keepAlive = events("disconnected", "141");
        double other = events("disconnected", "other");
        double connects = events("connected", "none");
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("fm-" + UUID.randomUUID());
        try {
            List<JsonObject> history = List.of(
                    connected(id, T, "c1"),
                    disconnected(id, T.plusSeconds(1), "c1", "server", 0x8D),
                    connected(id, T.plusSeconds(2), "c2"),
                    // 0x7F is no DISCONNECT reason code: counted, under "other"
                    disconnected(id, T.plusSeconds(3), "c2", "network", 0x7F));
            history.forEach(e -> TestMqtt.publishEvent(publisher, "test", e.encode()));
            // a redelivery the log ignores is still counted by its instance, so only "at least" holds for connects
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(events("disconnected", "141") - keepAlive).isEqualTo(1);
                assertThat(events("disconnected", "other") - other).isEqualTo(1);
                assertThat(events("connected", "none") - connects).isGreaterThanOrEqualTo(2);
            });
        } finally {
            publisher.disconnect().join();
        }
        assertThat(metrics().lines().filter(l -> l.startsWith("connmon_lifecycle_events_total{")))
                .allSatisfy(line -> assertThat(line)
                        .matches("connmon_lifecycle_events_total\\{event=\"(connected|disconnected|connect_failed)\","
                                + "initiator=\"(client|server|network|none)\",reason_code=\"(none|other|[0-9]{1,3})\"}"
                                + " [0-9.E]+"));
    }

    @Test
    void allowListedClientsHaveSeriesOfTheirOwnUpToTheCap() {
        String run = UUID.randomUUID().toString().substring(0, 6);
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("fm-" + UUID.randomUUID());
        try {
            for (int i = 0; i < 5; i++) {
                TestMqtt.publishEvent(
                        publisher,
                        "test",
                        connected("d:fm-allow:" + run + i, T, "c1").encode());
            }
            TestMqtt.publishEvent(
                    publisher,
                    "test",
                    disconnected("d:fm-allow:" + run + 1, T.plusSeconds(1), "c1", "client", 0)
                            .encode());
            TestMqtt.publishEvent(
                    publisher, "test", connected("d:fm-other:" + run, T, "c1").encode());
        } finally {
            publisher.disconnect().join();
        }
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> Api.state("d:fm-allow:" + run + 1)
                        .statusCode(200)
                        .body("connectionStatus", org.hamcrest.Matchers.equalTo("disconnected")));
        gauges.refresh().await().atMost(Duration.ofSeconds(10));

        String text = metrics();
        List<String> series = text.lines()
                .filter(l -> l.startsWith("connmon_client_connected{"))
                .toList();
        assertThat(series).as("at most connmon.metrics.clients-max").hasSizeLessThanOrEqualTo(3);
        assertThat(series).noneMatch(l -> l.contains("d:fm-other:"));
        // the first three allow-listed ids in id order (only this test writes d:fm-allow: ids to the test database)
        assertThat(series).hasSize(3).allMatch(l -> l.contains("d:fm-allow:" + run));
        assertThat(Api.metricIn(text, "connmon_client_connected", "d:fm-allow:" + run + "0\""))
                .isEqualTo(1.0);
        assertThat(Api.metricIn(text, "connmon_client_connected", "d:fm-allow:" + run + "1\""))
                .isEqualTo(0.0);
        assertThat(Api.metricIn(text, "connmon_client_connected", "d:fm-allow:" + run + "2\""))
                .isEqualTo(1.0);
        assertThat(Api.metricIn(text, "connmon_client_connected", "d:fm-allow:" + run + "3\""))
                .as("beyond connmon.metrics.clients-max")
                .isNaN();
    }

    @Test
    void clientGaugesHoldTheNewestSampleAndFlappingTheSummarysCount() {
        Instant newest = sampler.sample().await().atMost(Duration.ofSeconds(10));
        gauges.refresh().await().atMost(Duration.ofSeconds(10));
        String text = metrics();

        var rows = pool.query("""
                        SELECT coalesce(sum(connected), 0) AS up, coalesce(sum(disconnected), 0) AS down
                          FROM fleet_sample WHERE client_type <> ''
                           AND sampled_at = (SELECT max(sampled_at) FROM fleet_sample WHERE client_type = '')""").execute().await().atMost(Duration.ofSeconds(10));
        assertThat(newest).isNotNull();
        long up = rows.iterator().next().getLong("up");
        long down = rows.iterator().next().getLong("down");
        assertThat(Api.metricIn(text, "connmon_clients", "status=\"connected\""))
                .isEqualTo((double) up);
        assertThat(Api.metricIn(text, "connmon_clients", "status=\"disconnected\""))
                .isEqualTo((double) down);
        Set<String> deviceTypes = new TreeSet<>();
        text.lines().map(DEVICE_TYPE::matcher).filter(Matcher::find).forEach(m -> deviceTypes.add(m.group(1)));
        assertThat(deviceTypes)
                .as("connmon.metrics.device-types-top (20), other, none")
                .hasSizeLessThanOrEqualTo(22);

        long flapping = asReader()
                .when()
                .get(Api.SUMMARY)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getLong("flapping");
        assertThat(Api.metricIn(text, "connmon_clients_flapping")).isEqualTo((double) flapping);
    }
}
