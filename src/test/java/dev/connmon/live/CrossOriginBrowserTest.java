package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.sun.net.httpserver.HttpServer;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The README's example page in headless Chromium, served from a second origin (docs/api.md §12): from the allowed one
 * it gets a token, lists clients and follows them live over EventSource with access_token; from another origin the
 * browser blocks it. Skipped where Debian's chromium and chromium-driver are not installed.
 */
@Tag("long")
@QuarkusTest
@TestProfile(CrossOriginProfile.class)
@QuarkusTestResource(ServicesResource.class)
class CrossOriginBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final String DISALLOWED_ORIGIN = "http://127.0.0.1:" + CrossOriginProfile.PAGE_PORT;
    private static HttpServer pages;

    /** The same page on both origins: localhost:PAGE_PORT (allowed) and 127.0.0.1:PAGE_PORT (not). */
    @BeforeAll
    static void servePage() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        byte[] page = examplePage()
                .replace("http://localhost:8080", "http://localhost:" + port)
                .replace("my-key:my-token", "test-reader:reader-token")
                .getBytes(StandardCharsets.UTF_8);
        pages = HttpServer.create(new InetSocketAddress(CrossOriginProfile.PAGE_PORT), 0);
        pages.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        pages.start();
    }

    @AfterAll
    static void stopPages() {
        pages.stop(0);
    }

    /** The html block after the README's example-page marker: the documented page is the tested one. */
    static String examplePage() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int marker = readme.indexOf("<!-- example-page -->");
        int start = readme.indexOf("```html\n", marker) + "```html\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    @Test
    void aPageOnAnAllowedOriginListsClientsAndFollowsThemLive() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "Chromium is not installed");
        assumeTrue(!ServicesResource.machineServices(), "needs the embedded broker");
        String listed = "d:cors:sensor:" + UUID.randomUUID().toString().substring(0, 6);
        Mqtt5BlockingClient first = TestMqtt.v5(listed);
        first.connect();
        ChromeDriver driver = chromium();
        try {
            driver.get(CrossOriginProfile.ALLOWED_ORIGIN + "/");
            await().atMost(Duration.ofSeconds(20)).until(() -> driver.getTitle().equals("connmon: live"));
            // listed with fetch before the stream opened
            assertThat(driver.findElement(By.id(listed)).getText()).isEqualTo(listed + " connected");

            String live = "d:cors:sensor:" + UUID.randomUUID().toString().substring(0, 6);
            Mqtt5BlockingClient second = TestMqtt.v5(live);
            second.connect();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> !driver.findElements(By.id(live)).isEmpty()
                            && driver.findElement(By.id(live)).getText().equals(live + " connected"));
            first.disconnect();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> driver.findElement(By.id(listed)).getText().equals(listed + " disconnected"));
            second.disconnect();

            // the page sees connmon's own 401 (CORS headers on errors too), not a network error
            Object status = driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + "fetch('http://localhost:" + apiPort() + "/api/v0002/clientconnectionstates',"
                    + " { headers: { Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2ln' } })"
                    + ".then(r => done(r.status), e => done(String(e)));");
            assertThat(status).isEqualTo(401L);
        } finally {
            driver.quit();
        }
    }

    @Test
    void thePageOnAnotherOriginIsBlockedByTheBrowser() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "Chromium is not installed");
        ChromeDriver driver = chromium();
        try {
            driver.get(DISALLOWED_ORIGIN + "/");
            await().atMost(Duration.ofSeconds(20)).until(() -> driver.getTitle().startsWith("connmon: TypeError"));
            assertThat(driver.findElements(By.tagName("li"))).isEmpty();
        } finally {
            driver.quit();
        }
    }

    /** What the browser relies on, seen without one: preflights of REST and SSE requests per origin. */
    @Test
    void preflightsAreAnsweredForTheAllowedOriginOnly() throws Exception {
        for (String accept : new String[] {"application/json", "text/event-stream"}) {
            HttpResponse<String> allowed = preflight(CrossOriginProfile.ALLOWED_ORIGIN, accept);
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
                    .contains(CrossOriginProfile.ALLOWED_ORIGIN);
            assertThat(allowed.headers()
                            .firstValue("Access-Control-Allow-Headers")
                            .orElse("")
                            .toLowerCase())
                    .contains("authorization");
            // the token travels explicitly; cookies and the browser's own Basic credentials never cross origins
            assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials"))
                    .isNotEqualTo(java.util.Optional.of("true"));
            HttpResponse<String> refused = preflight(DISALLOWED_ORIGIN, accept);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin"))
                    .isEmpty();
        }
    }

    private static HttpResponse<String> preflight(String origin, String accept) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://localhost:" + apiPort() + "/api/v0002/clientconnectionstates"))
                                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                                .header("Origin", origin)
                                .header("Accept", accept)
                                .header("Access-Control-Request-Method", "GET")
                                .header("Access-Control-Request-Headers", "authorization")
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static int apiPort() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    static ChromeDriver chromium() throws Exception {
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
                        "--window-size=1300,700",
                        "--user-data-dir=" + Files.createTempDirectory("chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }
}
