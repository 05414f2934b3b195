package dev.connmon.metrics;

import static dev.connmon.support.Api.asReader;
import static dev.connmon.support.Events.connected;
import static dev.connmon.support.Events.disconnected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import dev.connmon.support.Api;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import dev.connmon.support.TestPrometheus;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus scrapes connmon's /q/metrics every second: its PromQL answers equal the REST summary
 * (docs/api.md §2) once a timeline sample (here every second) holds the fleet, the device types beyond the top 2
 * fold into {@code other}, the lifecycle counters count what was published, and the shipped alerting rules load.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
@TestProfile(PrometheusScrapeTest.FastSamples.class)
@Tag("long")
class PrometheusScrapeTest {
    static final Path RULES = Path.of("docs/prometheus/connmon-rules.yml");

    public static class FastSamples implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("connmon.timeline.sample-interval", "PT1S", "connmon.metrics.device-types-top", "2");
        }
    }

    @Test
    void promqlAnswersEqualTheRestSummary() throws Exception {
        assumeTrue(
                TestPrometheus.installed(),
                "Prometheus is not installed (/usr/bin/prometheus): apt-get install prometheus");
        String run = UUID.randomUUID().toString().substring(0, 6);
        Instant t = Instant.now().minusSeconds(120);
        List<JsonObject> events = new ArrayList<>();
        for (String type : List.of("pump", "pump", "pump", "valve", "valve", "probe")) {
            events.add(connected("d:pm" + run + ":" + type + ":" + events.size(), t, "c0"));
        }
        events.add(disconnected("d:pm" + run + ":pump:0", t.plusSeconds(1), "c0", "server", 0x8D));
        // five disconnects within a minute: flapping (connmon.flapping.disconnects=5 within PT10M)
        String flapper = "d:pm" + run + ":valve:3";
        for (int i = 1; i <= 5; i++) {
            events.add(disconnected(flapper, t.plusSeconds(10 * i), "c" + (i - 1), "network", 0x7F));
            events.add(connected(flapper, t.plusSeconds(10 * i + 1), "c" + i));
        }
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("pm-" + UUID.randomUUID());
        try {
            events.forEach(e -> TestMqtt.publishEvent(publisher, "test", e.encode()));
        } finally {
            publisher.disconnect().join();
        }
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> Api.state(flapper).statusCode(200).body("flapping", org.hamcrest.Matchers.is(true)));

        try (TestPrometheus prometheus = TestPrometheus.scraping(RestAssured.port, List.of(RULES))) {
            await().atMost(Duration.ofSeconds(30)).until(prometheus::ready);
            // the gauges come from samples: equal within connmon.timeline.sample-interval (plus a scrape)
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        JsonPath summary = asReader()
                                .when()
                                .get(Api.SUMMARY)
                                .then()
                                .statusCode(200)
                                .extract()
                                .jsonPath();
                        assertThat(prometheus.value("sum(connmon_clients{status=\"connected\"})"))
                                .isEqualTo(summary.getDouble("connected"));
                        assertThat(prometheus.value("sum(connmon_clients{status=\"disconnected\"})"))
                                .isEqualTo(summary.getDouble("disconnected"));
                        assertThat(prometheus.value("connmon_clients_flapping"))
                                .isEqualTo(summary.getDouble("flapping"));
                        assertThat(prometheus.value("sum(connmon_alerts_open)"))
                                .isEqualTo(summary.getDouble("openAlerts"));
                    });
            assertThat(prometheus.value("count(count by (device_type) (connmon_clients{client_type=\"device\"}))"))
                    .as("the top 2 device types, other and none at most")
                    .isLessThanOrEqualTo(4);
            assertThat(prometheus.value(
                            "sum(connmon_lifecycle_events_total{event=\"disconnected\",reason_code=\"other\"})"))
                    .isGreaterThanOrEqualTo(5);
            assertThat(prometheus.value(
                            "sum(connmon_lifecycle_events_total{event=\"disconnected\",reason_code=\"141\"})"))
                    .isGreaterThanOrEqualTo(1);
            JsonObject rules = prometheus.rules();
            assertThat(rules.getJsonObject("data")
                            .getJsonArray("groups")
                            .getJsonObject(0)
                            .getString("name"))
                    .isEqualTo("connmon-fleet");
            assertThat(rules.encode()).doesNotContain("\"health\":\"err\"");
        }
    }
}
