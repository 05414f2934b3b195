package dev.connmon.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.connmon.support.ServicesResource;
import dev.connmon.support.TestMqtt;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard in real headless Chromium: signed in through its login form (a stream token, CONTRACT §12), it
 * shows a device connecting and disconnecting live.
 * Skipped where Debian's chromium and chromium-driver are not installed; .ci/run installs them.
 */
@QuarkusTest
@QuarkusTestResource(ServicesResource.class)
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void aDeviceConnectingAndDisconnectingShowsLive() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "Chromium is not installed");
        // a real device's own connect and disconnect come from the embedded broker
        assumeTrue(!ServicesResource.machineServices(), "needs the embedded broker");
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
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
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get("http://localhost:" + port + "/");
            // the login form, not the browser's Basic dialog: a wrong token is refused in the page
            driver.findElement(By.id("login-key")).sendKeys("test-reader");
            driver.findElement(By.id("login-token")).sendKeys("wrong-token");
            driver.findElement(By.cssSelector("#login button")).click();
            await().atMost(Duration.ofSeconds(15))
                    .until(() ->
                            driver.findElement(By.id("login-error")).getText().equals("Wrong API key or token"));
            assertThat(driver.findElement(By.id("app")).isDisplayed()).isFalse();
            driver.findElement(By.id("login-token")).clear();
            driver.findElement(By.id("login-token")).sendKeys("reader-token");
            driver.findElement(By.cssSelector("#login button")).click();
            // signed in with a stream token: the list by Bearer, the live stream by access_token
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> driver.findElement(By.id("live"))
                            .getAttribute("class")
                            .contains("on"));
            assertThat(driver.findElement(By.id("login")).isDisplayed()).isFalse();

            String id = "d:browser:sensor:" + UUID.randomUUID().toString().substring(0, 6);
            Mqtt5BlockingClient device = TestMqtt.v5(id);
            device.connect();
            By row = By.xpath("//tbody[@id='clients']/tr[td[1][text()='" + id + "']]");
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> driver.findElements(row).stream()
                            .anyMatch(r -> r.getText().contains(" connected")));
            device.disconnect();
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> driver.findElements(row).stream()
                            .anyMatch(r -> r.getText().contains("disconnected")));

            byte[] png = driver.getScreenshotAs(OutputType.BYTES);
            Files.write(Path.of("target", "dashboard.png"), png);
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            Set<Integer> colors = new HashSet<>();
            for (int x = 0; x < image.getWidth(); x += 7) {
                for (int y = 0; y < image.getHeight(); y += 7) {
                    colors.add(image.getRGB(x, y));
                }
            }
            assertThat(colors).as("distinct colours in the screenshot").hasSizeGreaterThan(10);
        } finally {
            driver.quit();
        }
    }
}
