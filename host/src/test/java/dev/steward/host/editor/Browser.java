package dev.steward.host.editor;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Headless Chromium through chromedriver, both the system's (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them). No browser or driver is downloaded:
 * when either is missing the test fails and says what to install.
 */
public final class Browser implements AutoCloseable {

    private static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    public static Browser start() {
        String browser = System.getenv().getOrDefault("CHROMIUM", find(BROWSERS, "chromium").orElseThrow(() -> new AssertionError(
                "the browser tests need Chromium: install the Debian packages chromium and chromium-driver"
                        + " (apt-get install chromium chromium-driver), or set CHROMIUM to a Chromium binary")));
        String chromedriver = System.getenv().getOrDefault("CHROMEDRIVER", find(DRIVERS, "chromedriver").orElseThrow(() -> new AssertionError(
                "the browser tests need chromedriver: install the Debian packages chromium and chromium-driver"
                        + " (apt-get install chromium chromium-driver), or set CHROMEDRIVER to its path")));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        options.addArguments("--headless=new", "--no-sandbox", "--window-size=1366,900", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                "--lang=en-US");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return new Browser(driver);
    }

    private static Optional<String> find(List<String> candidates, String command) {
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Optional.of(candidate);
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path path = Path.of(dir, command);
            if (!dir.isEmpty() && Files.isExecutable(path)) {
                return Optional.of(path.toString());
            }
        }
        return Optional.empty();
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** Saves the page as it is now to {@code target/editor-screenshots/<name>.png}; answers the file. */
    public Path screenshot(String name) {
        Path file = Path.of("target", "editor-screenshots", name + ".png");
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    @Override
    public void close() {
        driver.quit();
    }
}
