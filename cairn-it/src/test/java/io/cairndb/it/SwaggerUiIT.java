package io.cairndb.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

// Proves Swagger UI at /api/v1/docs renders every operation of the node's OpenAPI document in a
// real headless Chromium, from the node alone, and that its "Try it out" calls the node.
class SwaggerUiIT {

    /** Debian's packages, which .ci/run installs: chromium and chromium-driver. */
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration PAGE_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /**
     * Aborts the test, loudly, where no browser is installed; in CI, where .ci/run installs one,
     * a missing browser fails it instead.
     */
    private static void requireBrowser() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER)) {
            return;
        }
        String message = "SwaggerUiIT needs Debian's chromium and chromium-driver ("
                + CHROMIUM + ", " + DRIVER + "); install them with `apt-get install chromium "
                + "chromium-driver` (.ci/run does)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("in CI: " + message);
        }
        System.err.println("*** SKIPPED: " + message + " ***");
        Assumptions.abort(message);
    }

    @Test
    void swaggerUiRendersEveryOperationAndTriesOneOut() throws Exception {
        requireBrowser();
        try (ServerProcess server = new ServerProcess(dir.resolve("node")).start()) {
            String base = "http://127.0.0.1:" + server.httpPort();
            int operations = operationCount(base);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
                    .withLogFile(dir.resolve("chromedriver.log").toFile()).build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("profile"));
            WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.get(base + "/api/v1/docs");
                await().atMost(PAGE_TIMEOUT).until(() -> browser.findElements(
                        By.cssSelector(".opblock")).size() == operations);
                assertThat(browser.findElement(By.cssSelector(".information-container .title"))
                        .getText()).contains("CairnDB REST API");

                WebElement status = browser.findElement(
                        By.id("operations-cluster-getControlStatus"));
                status.findElement(By.cssSelector(".opblock-summary-control")).click();
                await().atMost(PAGE_TIMEOUT).until(() -> !status.findElements(
                        By.cssSelector(".try-out__btn")).isEmpty());
                status.findElement(By.cssSelector(".try-out__btn")).click();
                await().atMost(PAGE_TIMEOUT).until(() -> !status.findElements(
                        By.cssSelector("button.execute")).isEmpty());
                status.findElement(By.cssSelector("button.execute")).click();
                // The live response is the table's row, under its header row.
                By code = By.cssSelector(".live-responses-table tr.response .response-col_status");
                await().atMost(PAGE_TIMEOUT).until(() -> !status.findElements(code).isEmpty());
                assertThat(status.findElement(code).getText().trim()).startsWith("200");
                assertThat(status.findElement(By.cssSelector(
                        ".live-responses-table tr.response .response-col_description")).getText())
                        .contains("\"success\": true").contains("\"role\": \"leader\"");
            } finally {
                browser.quit();
                service.stop();
            }
        }
    }

    /** How many operations the served document has: each is one block on the page. */
    private static int operationCount(String base) throws Exception {
        String document = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(base + "/api/v1/openapi.json")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher ids = Pattern.compile("\"operationId\"").matcher(document);
        int count = 0;
        while (ids.find()) {
            count++;
        }
        assertThat(count).isPositive();
        return count;
    }
}
