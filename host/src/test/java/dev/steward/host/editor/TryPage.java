package dev.steward.host.editor;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;

/** The scenarios-and-preview screen: run the scenarios on the drafts, preview them, save them all. */
public class TryPage extends EditorPage {

    public TryPage(EditorHost host, Browser browser) {
        super(host, browser);
    }

    public List<String> drafts() {
        return driver.findElements(By.cssSelector("#drafts li code")).stream().map(WebElement::getText).toList();
    }

    /** Runs the scenarios; answers the summary line. */
    public String runScenarios() {
        driver.findElement(By.id("run-scenarios")).click();
        return waitFor(By.id("scenario-summary"), Duration.ofSeconds(60)).getText();
    }

    /** The failed scenarios, each with its differences. */
    public List<String> failures() {
        return driver.findElements(By.cssSelector("#scenario-results li.fail")).stream().map(WebElement::getText).toList();
    }

    /** Previews the drafts; answers the summary, or the "not available" notice. */
    public String preview() {
        driver.findElement(By.id("preview")).click();
        return waitUntil(d -> {
            List<WebElement> found = d.findElements(By.cssSelector("#preview-summary, #preview-unavailable, #preview-results .error"));
            return found.isEmpty() ? null : found.getFirst().getText();
        }, Duration.ofSeconds(60));
    }

    /** Saves every draft; answers the status once it says saved or not. */
    public String saveAll() {
        driver.findElement(By.id("save-all")).click();
        return waitUntil(d -> {
            String status = d.findElement(By.id("save-status")).getText();
            return status.startsWith("Saved") || status.startsWith("Not saved") ? status : null;
        }, Duration.ofSeconds(60));
    }

    private WebElement waitFor(By locator, Duration within) {
        return waitUntil(d -> {
            List<WebElement> found = d.findElements(locator);
            return found.isEmpty() || !found.getFirst().isDisplayed() ? null : found.getFirst();
        }, within);
    }
}
