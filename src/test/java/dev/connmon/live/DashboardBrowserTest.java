package dev.connmon.live;

import static dev.connmon.support.Api.asReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.support.Api;
import dev.connmon.support.Events;
import dev.connmon.support.FleetChurn;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The operator's dashboard in real headless Chromium against real connmon, with data fed through the
 * broker: a week of canonical history published by connmon's system user, and real MQTT 5 devices. It signs in
 * through the login form (a stream token, docs/api.md §12) and checks that the overview draws its chart from
 * {@code /fleet/timeline} and shows the numbers of {@code /summary}; that a filter change updates the list and the
 * URL; that a client's page shows its availability and a 7-day bar whose segments are those of
 * {@code /availability}; that a state change arrives live; at phone width (390 px, emulated) nothing scrolls
 * sideways; and that the page logged no console error and sent no request to another origin.
 * <p>
 * Screenshots go to {@code target/dashboard/}, or to {@code -Ddashboard.screenshots=docs/images} (the README's).
 * Skipped where Debian's chromium and chromium-driver are not installed; .ci/run installs them.
 */
@Tag("long")
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private ChromeDriver driver;
    private String origin;
    private final List<String> requests = new ArrayList<>();
    private final List<String> consoleErrors = new ArrayList<>();

    @Test
    void theOperatorsDashboard() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "Chromium is not installed");
        // real devices' own connects and disconnects come from the embedded broker
        assumeTrue(!ServicesResource.machineServices(), "needs the embedded broker");
        String run = UUID.randomUUID().toString().substring(0, 6);
        String org = "dash" + run;
        String pump = "d:" + org + ":pump:0001";
        feedHistory(org, pump);
        Mqtt5BlockingClient live = TestMqtt.v5("d:" + org + ":sensor:live");
        live.connect();
        awaitState("d:" + org + ":sensor:live", "connected");

        // for the README's screenshots: a fleet that has lived for a while (-Ddashboard.warmup=PT6M)
        FleetChurn churn = new FleetChurn("acme" + run, 48);
        String warmup = System.getProperty("dashboard.warmup");
        if (warmup != null) {
            churn.run(Duration.parse(warmup), Duration.ofMillis(700));
        }
        driver = chromium();
        try {
            origin = "http://localhost:" + ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
            signIn();
            overview();
            clientsFilter(org);
            clientPage(pump);
            liveChange(live, "d:" + org + ":sensor:live");
            phone(pump, org);
            collectLogs();
            assertThat(consoleErrors).as("console errors").isEmpty();
            assertThat(requests)
                    .as("requests the page sent")
                    .isNotEmpty()
                    .allSatisfy(url -> assertThat(url)
                            .satisfiesAnyOf(
                                    u -> assertThat(u).startsWith(origin + "/"),
                                    u -> assertThat(u).startsWith("data:"),
                                    u -> assertThat(u).startsWith("blob:" + origin)));
            assertThat(requests)
                    .as("uPlot comes from connmon's own WebJar")
                    .anyMatch(url -> url.startsWith(origin + "/webjars/uplot/"));
        } catch (Throwable failure) {
            // what the page said and showed, for whoever reads the failure
            collectLogs();
            failure.addSuppressed(new AssertionError("console errors: " + consoleErrors));
            screenshot("failure.png");
            throw failure;
        } finally {
            driver.quit();
            churn.stop();
        }
    }

    /**
     * Through the broker as canonical events (connmon's system user, docs/api.md §1): a pump with a week of history
     * (unknown for its first day, two outages, disconnected now) and sensors dropped for various reasons today.
     */
    private void feedHistory(String org, String pump) {
        Instant now = Instant.now();
        Mqtt5AsyncClient publisher = TestMqtt.eventPublisher("dash-history-" + org);
        List<JsonObject> events = new ArrayList<>();
        events.add(Events.connected(pump, now.minus(Duration.ofHours(150)), "p1"));
        events.add(Events.disconnected(pump, now.minus(Duration.ofHours(100)), "p1", "server", 0x8D)
                .put("reason", "Keep Alive timeout"));
        events.add(Events.connected(pump, now.minus(Duration.ofHours(97)), "p2"));
        events.add(Events.disconnected(pump, now.minus(Duration.ofHours(30)), "p2", "network", 0x00));
        events.add(Events.connected(pump, now.minus(Duration.ofHours(29)), "p3"));
        events.add(Events.disconnected(pump, now.minus(Duration.ofHours(3)), "p3", "server", 0x8D)
                .put("reason", "Keep Alive timeout"));
        int[][] sensors = {{0x8D, 1}, {0x8D, 2}, {0x8D, 5}, {0x8E, 7}, {0x00, 9}, {0x04, 15}, {-1, 20}};
        for (int i = 0; i < sensors.length; i++) {
            String id = "d:" + org + ":sensor:" + String.format("%04d", i + 1);
            Instant down = now.minus(Duration.ofHours(sensors[i][1])).minusSeconds(37L * i);
            events.add(Events.connected(id, down.minus(Duration.ofHours(2)), "s" + i));
            String initiator = sensors[i][0] < 0 ? "network" : sensors[i][0] >= 0x80 ? "server" : "client";
            JsonObject disconnect = Events.disconnected(id, down, "s" + i, initiator, Math.max(0, sensors[i][0]));
            if (sensors[i][0] < 0) {
                disconnect.remove("reasonCode");
            }
            events.add(disconnect);
            if (i % 2 == 0) { // half of them came back
                events.add(Events.connected(id, down.plusSeconds(90), "s" + i + "b"));
            }
        }
        events.forEach(e -> TestMqtt.publishEvent(publisher, "dashboard", e.encode()));
        publisher.disconnect().join();
        awaitState(pump, "disconnected");
        await().atMost(WAIT)
                .until(() -> asReader()
                                .queryParam("clientIdPrefix", "d:" + org + ":sensor:")
                                .get("/api/v0002/clientconnectionstates")
                                .jsonPath()
                                .getList("results")
                                .size()
                        == sensors.length);
    }

    private void awaitState(String id, String status) {
        await().atMost(WAIT)
                .until(() -> status.equals(Api.state(id).extract().jsonPath().getString("connectionStatus")));
    }

    private void signIn() {
        desktop();
        driver.get(origin + "/");
        // the login form, not the browser's Basic dialog: a wrong token is refused in the page
        driver.findElement(By.id("login-key")).sendKeys("test-reader");
        driver.findElement(By.id("login-token")).sendKeys("wrong-token");
        driver.findElement(By.cssSelector("#login button")).click();
        await().atMost(WAIT).until(() -> text("login-error").equals("Wrong API key or token"));
        assertThat(driver.findElement(By.id("main")).isDisplayed()).isFalse();
        await().atMost(WAIT).until(() -> {
            collectLogs();
            return !consoleErrors.isEmpty();
        });
        consoleErrors.clear(); // the refused sign-in's 401 is the one error the page may log
        driver.findElement(By.id("login-token")).clear();
        driver.findElement(By.id("login-token")).sendKeys("reader-token");
        driver.findElement(By.cssSelector("#login button")).click();
        // signed in with a stream token: the pages by Bearer, the live streams by access_token
        await().atMost(WAIT)
                .until(() ->
                        driver.findElement(By.id("live")).getAttribute("class").contains("on"));
        assertThat(driver.findElement(By.id("login")).isDisplayed()).isFalse();
    }

    /** Counts equal /summary; the chart's data and its drawn pixels come from /fleet/timeline; top reasons. */
    private void overview() throws Exception {
        await().atMost(WAIT).until(() -> "true".equals(attribute("view-overview", "data-loaded")));
        await().atMost(WAIT).untilAsserted(() -> {
            JsonPath summary = asReader().get("/api/v0002/summary").jsonPath();
            assertThat(number("count-connected")).isEqualTo(summary.getLong("connected"));
            assertThat(number("count-disconnected")).isEqualTo(summary.getLong("disconnected"));
            assertThat(number("count-flapping")).isEqualTo(summary.getLong("flapping"));
            assertThat(number("count-silent")).isEqualTo(summary.getLong("silent"));
            assertThat(number("count-alerts")).isEqualTo(summary.getLong("openAlerts"));
        });
        assertThat(number("count-disconnected")).isGreaterThanOrEqualTo(4);
        // the first-device hint (shown while the fleet is empty) names the port of the broker connmon watches: this
        // run's embedded broker is on a free port, not 1883
        await().atMost(WAIT)
                .until(() -> String.valueOf(
                                driver.executeScript("return document.getElementById('empty-command').textContent"))
                        .contains(" -p " + TestMqtt.port() + " "));
        assertChartIsTheTimeline();
        assertPageWeight();

        // the top reasons include the pump's and three sensors' keep-alive timeouts
        await().atMost(WAIT).until(() -> text("reasons").contains("Keep Alive timeout (0x8D)"));

        // 1 h: the chart is read again, for the last hour in minutes
        String before = attribute("chart", "data-since");
        driver.findElement(By.cssSelector("[data-range='1h']")).click();
        await().atMost(WAIT).until(() -> !before.equals(attribute("chart", "data-since")));
        assertThat(attribute("chart", "data-step")).isEqualTo("PT1M");
        assertChartIsTheTimeline();
        screenshot("dashboard-overview.png");
        driver.findElement(By.cssSelector("[data-range='24h']")).click();
    }

    /** What the page loads before it asks the API anything (HTML, CSS, modules, uPlot): under 1 MB. */
    private void assertPageWeight() {
        long bytes = ((Number) driver.executeScript("""
                        const entries = [...performance.getEntriesByType('navigation'),
                          ...performance.getEntriesByType('resource').filter(e => !e.name.includes('/api/'))];
                        return entries.reduce((sum, e) => sum + e.decodedBodySize, 0);""")).longValue();
        System.out.printf("Dashboard page weight: %d bytes (decoded)%n", bytes);
        assertThat(bytes).as("page weight").isBetween(50_000L, 1_000_000L);
    }

    /**
     * The chart's table is the timeline the page read (asked again with the page's own since, until and step), and
     * uPlot drew it. Read in one script and retried: the page refreshes its chart while the fleet changes.
     */
    private void assertChartIsTheTimeline() {
        await().atMost(WAIT).untilAsserted(this::chartMatchesTheTimeline);
    }

    @SuppressWarnings("unchecked")
    private void chartMatchesTheTimeline() {
        Map<String, Object> page = (Map<String, Object>) driver.executeScript("""
                const chart = document.getElementById('chart');
                const rows = [...document.querySelectorAll('#chart-table tbody tr')].map(tr =>
                  [...tr.children].map((td, i) => i === 0 ? td.querySelector('time').getAttribute('datetime') : td.textContent));
                const canvas = chart.querySelector('canvas');
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                const near = (i, r, g, b) => Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40
                    && Math.abs(data[i + 2] - b) < 40 && data[i + 3] > 200;
                let line = 0, server = 0;
                for (let i = 0; i < data.length; i += 4) {
                  if (near(i, 0, 114, 178)) line++;
                  if (near(i, 230, 159, 0)) server++;
                }
                return { since: chart.dataset.since, until: chart.dataset.until, step: chart.dataset.step,
                         rows, line, server, width: canvas.width, height: canvas.height };""");
        JsonPath api = asReader()
                .queryParam("since", page.get("since"))
                .queryParam("until", page.get("until"))
                .queryParam("step", page.get("step"))
                .get("/api/v0002/fleet/timeline")
                .jsonPath();
        List<Map<String, Object>> buckets = api.getList("buckets");
        List<List<String>> rows = (List<List<String>>) page.get("rows");
        assertThat(rows).hasSameSizeAs(buckets);
        for (int i = 0; i < buckets.size(); i++) {
            Map<String, Object> bucket = buckets.get(buckets.size() - 1 - i); // the table is newest first
            List<String> cells = rows.get(i);
            assertThat(cells.get(0)).isEqualTo(bucket.get("end"));
            Map<String, Object> disconnects = (Map<String, Object>) bucket.get("disconnects");
            assertThat(digits(cells.get(2)))
                    .as("disconnects by the client at %s", bucket.get("end"))
                    .isEqualTo(((Number) disconnects.get("client")).longValue());
            assertThat(digits(cells.get(3))).isEqualTo(((Number) disconnects.get("server")).longValue());
            assertThat(digits(cells.get(4))).isEqualTo(((Number) disconnects.get("network")).longValue());
            if (i > 0) { // the newest bucket's count is "now": it may have moved on since the page read it
                assertThat(bucket.get("connected") == null ? cells.get(1) : digits(cells.get(1)))
                        .isEqualTo(
                                bucket.get("connected") == null
                                        ? "no record"
                                        : ((Number) bucket.get("connected")).longValue());
            }
        }
        // and uPlot drew it: the line's blue and the server disconnects' orange are on the canvas
        assertThat(((Number) page.get("width")).intValue()).isGreaterThan(300);
        boolean anyCount = buckets.stream().anyMatch(b -> b.get("connected") != null);
        if (visibleServerBarArea(buckets, page) >= 60) {
            assertThat(((Number) page.get("server")).intValue())
                    .as("bars drawn")
                    .isGreaterThan(20);
        }
        if (anyCount) {
            assertThat(((Number) page.get("line")).intValue()).as("line drawn").isGreaterThan(0);
        }
    }

    /**
     * The pixels the server disconnects' bars should cover, counting only bars at least 2 px tall: the disconnect
     * scale is the fleet's, and another test's burst of client disconnects in the same hours can make a few server
     * disconnects too short to see. Estimated low: the plot area is taken as 60 % of the canvas height and the bars
     * as 80 % of their bucket's width.
     */
    @SuppressWarnings("unchecked")
    private static double visibleServerBarArea(List<Map<String, Object>> buckets, Map<String, Object> page) {
        long tallest = buckets.stream()
                .mapToLong(b -> ((Map<String, Object>) b.get("disconnects"))
                        .values().stream()
                                .mapToLong(n -> ((Number) n).longValue())
                                .sum())
                .max()
                .orElse(0);
        double top = Math.max(4, tallest * 2.2); // the chart's disconnect scale (fleet-chart.js)
        double plotHeight = ((Number) page.get("height")).doubleValue() * 0.6;
        double barWidth = ((Number) page.get("width")).doubleValue() * 0.8 * 0.8 / Math.max(1, buckets.size());
        return buckets.stream()
                .mapToDouble(b -> ((Number) ((Map<String, Object>) b.get("disconnects")).get("server")).longValue()
                        / top
                        * plotHeight)
                .filter(height -> height >= 2)
                .map(height -> height * barWidth)
                .sum();
    }

    /** Filters of the org's sensors, then disconnected ones only: the list and the URL follow each change. */
    private void clientsFilter(String org) throws Exception {
        driver.findElement(By.cssSelector("#nav a[data-view='clients']")).click();
        await().atMost(WAIT).until(() -> attribute("view-clients", "data-loaded") != null);
        WebElement prefix = driver.findElement(By.name("clientIdPrefix"));
        prefix.sendKeys("d:" + org + ":");
        prefix.sendKeys(Keys.ENTER);
        await().atMost(WAIT).until(() -> hash().contains("clientIdPrefix=d%3A" + org + "%3A"));
        driver.executeScript("const s = document.querySelector('[name=connectionStatus]'); s.value = 'disconnected';"
                + "s.dispatchEvent(new Event('change', {bubbles: true}));");
        await().atMost(WAIT).until(() -> hash().contains("connectionStatus=disconnected"));
        String query = hash().substring(hash().indexOf('?') + 1);
        await().atMost(WAIT).until(() -> query.equals(attribute("view-clients", "data-loaded")));
        List<String> expected = asReader()
                .queryParam("clientIdPrefix", "d:" + org + ":")
                .queryParam("connectionStatus", "disconnected")
                .queryParam("_sort", "-lastActivityTime")
                .queryParam("_limit", 50)
                .get("/api/v0002/clientconnectionstates")
                .jsonPath()
                .getList("results.id");
        assertThat(expected).hasSize(4); // the pump and the three sensors that stayed away
        assertThat(driver.findElements(By.cssSelector("#clients tr")).stream()
                        .map(tr -> tr.getAttribute("data-id"))
                        .toList())
                .isEqualTo(expected);
        assertThat(driver.findElements(By.cssSelector("#clients .badge")))
                .allSatisfy(badge -> assertThat(badge.getText()).contains("disconnected"));
        screenshot("dashboard-clients.png");
        // a bookmarked view opens as it was left
        String url = driver.getCurrentUrl();
        driver.navigate().refresh();
        driver.findElement(By.id("login-key")).sendKeys("test-reader");
        driver.findElement(By.id("login-token")).sendKeys("reader-token");
        driver.findElement(By.cssSelector("#login button")).click();
        await().atMost(WAIT).until(() -> query.equals(attribute("view-clients", "data-loaded")));
        assertThat(driver.getCurrentUrl()).isEqualTo(url);
        assertThat(driver.findElement(By.name("connectionStatus")).getAttribute("value"))
                .isEqualTo("disconnected");
        assertThat(driver.findElements(By.cssSelector("#clients tr"))).hasSize(4);
    }

    /** The pump's page: availability as /availability says, and the bar's segments are its segments. */
    @SuppressWarnings("unchecked")
    private void clientPage(String pump) throws Exception {
        driver.findElement(By.xpath("//a[@class='client-id'][text()='" + pump + "']"))
                .click();
        await().atMost(WAIT).until(() -> pump.equals(attribute("view-client", "data-loaded")));
        assertThat(text("client-title")).isEqualTo(pump);
        assertThat(text("client-status")).contains("disconnected");
        String path = "/api/v0002/clientconnectionstates/" + Api.segment(pump) + "/availability";
        for (String window : List.of("P1D", "P7D", "P30D")) {
            double availability = asReader()
                    .urlEncodingEnabled(false)
                    .queryParam("since", window)
                    .get(path)
                    .jsonPath()
                    .getDouble("availability");
            String shown = driver.findElement(By.cssSelector(".tile[data-window='" + window + "'] b"))
                    .getText();
            assertThat(Double.parseDouble(shown.replace("%", "").trim()))
                    .as("availability over %s", window)
                    .isCloseTo(availability * 100, org.assertj.core.data.Offset.offset(0.05));
        }
        // the bar is read in one script (the page redraws it each minute) and compared with the API's segments
        await().atMost(WAIT).untilAsserted(() -> barMatchesTheSegments(path));
        // hover: the stretch's times and what began it
        new org.openqa.selenium.interactions.Actions(driver)
                .moveToElement(driver.findElement(By.cssSelector("#bar .seg[data-index='4']")))
                .perform();
        await().atMost(WAIT).until(() -> text("bar-detail").contains("Connection lost"));
        // the keyboard reaches every stretch too
        driver.findElement(By.id("bar")).sendKeys(Keys.END);
        await().atMost(WAIT).until(() -> text("bar-detail").contains("Keep Alive timeout (0x8D)"));
        assertThat(driver.findElements(By.cssSelector("#log li"))).hasSize(6);
        assertThat(text("log")).contains("Disconnected by the server: Keep Alive timeout (0x8D)");
        screenshot("dashboard-client.png");
    }

    @SuppressWarnings("unchecked")
    private void barMatchesTheSegments(String path) {
        Map<String, Object> bar = (Map<String, Object>) driver.executeScript("""
                const bar = document.getElementById('bar');
                return { since: bar.dataset.since, until: bar.dataset.until, width: bar.getBoundingClientRect().width,
                  segments: [...bar.querySelectorAll('.seg')].map(seg => ({ status: seg.dataset.status,
                    start: seg.dataset.start, end: seg.dataset.end, width: seg.getBoundingClientRect().width })) };""");
        List<Map<String, Object>> segments = asReader()
                .urlEncodingEnabled(false)
                .queryParam("since", bar.get("since"))
                .queryParam("until", bar.get("until"))
                .queryParam("segments", "true")
                .get(path)
                .jsonPath()
                .getList("segments");
        List<Map<String, Object>> shown = (List<Map<String, Object>>) bar.get("segments");
        assertThat(shown).hasSameSizeAs(segments);
        double total = segments.stream()
                .mapToDouble(s -> ((Number) s.get("seconds")).doubleValue())
                .sum();
        double barWidth = ((Number) bar.get("width")).doubleValue();
        for (int i = 0; i < segments.size(); i++) {
            assertThat(List.of(
                            shown.get(i).get("status"),
                            shown.get(i).get("start"),
                            shown.get(i).get("end")))
                    .isEqualTo(List.of(
                            segments.get(i).get("status"),
                            segments.get(i).get("start"),
                            segments.get(i).get("end")));
            // each stretch is as wide as its share of the week (to a few pixels: short outages have a minimum)
            double expected = barWidth * ((Number) segments.get(i).get("seconds")).doubleValue() / total;
            assertThat(((Number) shown.get(i).get("width")).doubleValue())
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(3.5));
        }
        // a week that began before connmon knew the pump, two outages and the one it is in now
        assertThat(segments.stream().map(s -> s.get("status")).toList())
                .containsExactly(
                        "unknown",
                        "connected",
                        "disconnected",
                        "connected",
                        "disconnected",
                        "connected",
                        "disconnected");
    }

    /** A device's page shows its disconnect as it happens, without a reload. */
    private void liveChange(Mqtt5BlockingClient device, String id) {
        // a hash change is no reload: the page keeps its session
        go("#/clients/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
        await().atMost(WAIT).until(() -> id.equals(attribute("view-client", "data-loaded")));
        assertThat(text("client-status")).contains("connected");
        driver.executeScript("window.notReloaded = true");
        device.disconnect();
        await().atMost(WAIT).until(() -> text("client-status").contains("disconnected"));
        assertThat(driver.executeScript("return window.notReloaded")).isEqualTo(true);
        await().atMost(WAIT).until(() -> text("log").contains("Disconnected by the client"));
    }

    /** At 390 px (a phone, emulated: headless windows stop near 500 px) no view scrolls sideways. */
    private void phone(String pump, String org) throws Exception {
        Map<String, Object> metrics = new HashMap<>();
        metrics.put("width", 390);
        metrics.put("height", 844);
        metrics.put("deviceScaleFactor", 2);
        metrics.put("mobile", true);
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", metrics);
        try {
            go("#/");
            await().atMost(WAIT).until(() -> "true".equals(attribute("view-overview", "data-loaded")));
            await().atMost(WAIT)
                    .until(() ->
                            driver.findElements(By.cssSelector("#chart canvas")).size() > 0);
            assertNoSidewaysScroll("overview");
            screenshot("dashboard-phone.png");
            go("#/clients?clientIdPrefix=d%3A" + org + "%3A");
            await().atMost(WAIT).until(() -> attribute("view-clients", "data-loaded") != null);
            assertNoSidewaysScroll("clients");
            go("#/clients/" + URLEncoder.encode(pump, StandardCharsets.UTF_8));
            await().atMost(WAIT).until(() -> pump.equals(attribute("view-client", "data-loaded")));
            assertNoSidewaysScroll("client");
            screenshot("dashboard-phone-client.png");
        } finally {
            desktop();
        }
    }

    /** A 1440 × 900 viewport, whatever the window's frame takes. */
    private void desktop() {
        driver.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", 1440, "height", 900, "deviceScaleFactor", 1, "mobile", false));
    }

    private void assertNoSidewaysScroll(String view) {
        Map<?, ?> widths = (Map<?, ?>)
                driver.executeScript("return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth,"
                        + " body: document.body.scrollWidth}");
        assertThat(((Number) widths.get("inner")).intValue()).isEqualTo(390);
        assertThat(((Number) widths.get("scroll")).intValue())
                .as("%s: document width at 390 px", view)
                .isLessThanOrEqualTo(390);
        assertThat(((Number) widths.get("body")).intValue())
                .as("%s: body width", view)
                .isLessThanOrEqualTo(390);
    }

    private ChromeDriver chromium() throws Exception {
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--lang=en-GB",
                        "--window-size=1440,900",
                        "--user-data-dir=" + Files.createTempDirectory("chromium"));
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** Drains the browser's console and network logs into {@link #consoleErrors} and {@link #requests}. */
    private void collectLogs() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()) {
                consoleErrors.add(entry.getMessage());
            }
        }
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonObject message = new JsonObject(entry.getMessage()).getJsonObject("message");
            // every request of connmon's page (the browser's own new-tab page before it is not the page's)
            JsonObject params = message.getJsonObject("params");
            if ("Network.requestWillBeSent".equals(message.getString("method"))
                    && params.getString("documentURL", "").startsWith(origin + "/")) {
                requests.add(params.getJsonObject("request").getString("url"));
            }
        }
    }

    private void screenshot(String name) throws Exception {
        Path dir = Path.of(System.getProperty("dashboard.screenshots", "target/dashboard"));
        Files.createDirectories(dir);
        Thread.sleep(400); // the row highlight of a live change fades
        Files.write(dir.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
        collectLogs();
    }

    private void go(String hash) {
        driver.executeScript("location.hash = arguments[0]", hash);
    }

    private String hash() {
        return (String) driver.executeScript("return location.hash");
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private String attribute(String id, String name) {
        return driver.findElement(By.id(id)).getAttribute(name);
    }

    private long number(String id) {
        return digits(text(id));
    }

    private static long digits(String text) {
        String digits = text.replaceAll("[^0-9]", "");
        return digits.isEmpty() ? -1 : Long.parseLong(digits);
    }
}
