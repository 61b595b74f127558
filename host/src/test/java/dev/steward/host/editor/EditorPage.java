package dev.steward.host.editor;

import dev.steward.host.access.Role;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The base of the editor's page objects: signing in through the login form, opening a screen by
 * its id (#/<id>) and waiting until the shell has mounted it ({@code main[aria-busy=false]} and
 * {@code #screen-<id>}), waits, and screenshots. A screen's page object extends this and adds
 * what a person does on that screen, in their words.
 */
public class EditorPage {

    protected final EditorHost host;
    protected final Browser browser;
    protected final WebDriver driver;

    public EditorPage(EditorHost host, Browser browser) {
        this.host = host;
        this.browser = browser;
        this.driver = browser.driver();
    }

    /** Signs in through /login as the user named after the role (see {@link EditorHost}). */
    public EditorPage signIn(Role role) {
        return signIn(role.label(), EditorHost.password(role));
    }

    /** Signs in through the login form (signing out first) and waits for the editor's shell. */
    public EditorPage signIn(String user, String password) {
        return signIn(user, password, "");
    }

    /** Signs in through the login form, landing on a screen (empty: the first one). */
    public EditorPage signIn(String user, String password, String screenId) {
        driver.manage().deleteAllCookies();
        driver.get(host.url("/login?next=" + java.net.URLEncoder.encode("/editor/" + (screenId.isEmpty() ? "" : "#/" + screenId),
                java.nio.charset.StandardCharsets.UTF_8)));
        WebElement name = waitFor(By.id("user"));
        script("sessionStorage.clear()"); // no unsaved drafts from an earlier test
        name.sendKeys(user);
        driver.findElement(By.id("password")).sendKeys(password);
        driver.findElement(By.cssSelector("form button[type=submit]")).click();
        waitUntil(d -> d.getCurrentUrl().contains("/editor/"));
        waitFor(By.cssSelector("#sign-out:not([hidden])"));
        awaitMounted();
        return this;
    }

    /** Opens a screen by its id and waits until it is mounted. */
    public EditorPage open(String screenId) {
        String target = host.url("/editor/#/" + screenId);
        if (driver.getCurrentUrl().contains("/editor/")) {
            ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", "#/" + screenId);
        } else {
            driver.get(target);
        }
        waitFor(By.id("screen-" + screenId));
        awaitMounted();
        return this;
    }

    /** Waits until the shell says the current screen has finished mounting. */
    public void awaitMounted() {
        waitFor(By.cssSelector("main[aria-busy='false']"));
    }

    /** "user (role)" as the header shows it. */
    public String signedInAs() {
        return driver.findElement(By.id("who")).getText();
    }

    /** The navigation's entries, as their titles. */
    public List<String> navigation() {
        return driver.findElements(By.cssSelector("#nav a")).stream().map(WebElement::getText).toList();
    }

    public void signOut() {
        driver.findElement(By.id("sign-out")).click();
        waitUntil(d -> d.getCurrentUrl().contains("/login"));
    }

    /** The last toast's text, waiting for one to appear. */
    public String toast() {
        return waitFor(By.cssSelector("#toasts .toast:last-child")).getText();
    }

    public Path screenshot(String name) {
        return browser.screenshot(name);
    }

    /** The element, once it is visible (10 s at most). */
    public WebElement waitFor(By locator) {
        return new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.visibilityOfElementLocated(locator));
    }

    /** The element, once it is in the page (visible or not). */
    public WebElement present(By locator) {
        return new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.presenceOfElementLocated(locator));
    }

    public <T> T waitUntil(Function<WebDriver, T> condition) {
        return waitUntil(condition, Duration.ofSeconds(10));
    }

    public <T> T waitUntil(Function<WebDriver, T> condition, Duration within) {
        return new WebDriverWait(driver, within).until(condition);
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }
}
