package dev.steward.host.editor;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.util.List;

/**
 * The operations screens as a person uses them: the overview's figures, the runs with their
 * filters and a run's trace, the dead letters with their payload and replay, the holds and their
 * release, and the systems with a record read through one.
 */
public class OperationsPage extends EditorPage {

    public OperationsPage(EditorHost host, Browser browser) {
        super(host, browser);
    }

    /** A figure of the overview's health section by its id ({@code backlog}, {@code dead-letters}...). */
    public String overviewFigure(String id) {
        return waitFor(By.cssSelector("#figure-" + id + " dd")).getText();
    }

    public String overviewSection(String id) {
        return waitFor(By.id(id)).getText();
    }

    /** Runs: chooses the filters (empty for any) and submits them; waits for the list. */
    public OperationsPage filterRuns(String flow, String status, String key) {
        new Select(waitFor(By.id("runs-flow"))).selectByValue(flow);
        new Select(driver.findElement(By.id("runs-status"))).selectByValue(status);
        WebElement keyInput = driver.findElement(By.id("runs-key"));
        keyInput.clear();
        keyInput.sendKeys(key);
        driver.findElement(By.id("runs-filter")).click();
        waitUntil(d -> "false".equals(d.findElement(By.id("runs-list")).getAttribute("aria-busy")));
        return this;
    }

    /** The listed runs' cells by column: 0 run, 1 flow, 2 key, 3 status. */
    public List<String> runColumn(int column) {
        return driver.findElements(By.cssSelector("#runs-table tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td")).get(column).getText()).toList();
    }

    /** Opens a listed run's trace by its event id. */
    public OperationsPage openRun(String eventId) {
        waitFor(By.cssSelector("#runs-table button[data-event='" + eventId + "']")).click();
        waitFor(By.id("trace-summary"));
        return this;
    }

    /** The trace's decisions as rows of cells: field, old, new, decision, reason, by. */
    public List<List<String>> decisions() {
        return rows("#trace-decisions tbody tr");
    }

    /** The trace's writes as rows of cells: system, fields, result, error. */
    public List<List<String>> writes() {
        return rows("#trace-writes tbody tr");
    }

    /** Errors: opens a dead letter from the list. */
    public OperationsPage openDeadLetter(String eventId) {
        waitFor(By.cssSelector("#dead-letters button[data-event='" + eventId + "']")).click();
        waitFor(By.id("dead-letter-answer"));
        return this;
    }

    public String targetAnswer() {
        return waitFor(By.id("dead-letter-answer")).getText();
    }

    public String payload() {
        return waitFor(By.id("dead-letter-payload")).getDomProperty("value");
    }

    /** Replaces the payload as a person would: select all, type the new one. */
    public OperationsPage editPayload(String json) {
        WebElement area = waitFor(By.id("dead-letter-payload"));
        area.clear();
        area.sendKeys(json);
        return this;
    }

    /** Replays the open dead letter and waits until its run has finished; answers how it ended. */
    public String replayAndAwait() {
        waitFor(By.id("dead-letter-replay")).click();
        return waitUntil(d -> {
            String outcome = d.findElement(By.id("dead-letter-message")).getDomAttribute("data-outcome");
            return outcome == null || outcome.isEmpty() ? null : outcome;
        }, java.time.Duration.ofSeconds(20));
    }

    public String message() {
        return driver.findElement(By.id("dead-letter-message")).getText();
    }

    /** Holds: the listed holds as rows of cells: entity, key, field, since, reason, history. */
    public List<List<String>> holds() {
        waitFor(By.cssSelector("#holds, #no-holds"));
        return rows("#holds tbody tr");
    }

    public OperationsPage release(String entity, String key, String field) {
        waitFor(By.cssSelector("button[aria-label='Release " + entity + " " + key + " " + field + "']")).click();
        return this;
    }

    /** Buttons on the current screen whose text is one of these (for the role checks). */
    public List<String> buttons(String... texts) {
        List<String> wanted = List.of(texts);
        return driver.findElements(By.cssSelector("#main button")).stream().map(WebElement::getText)
                .filter(wanted::contains).toList();
    }

    /** Systems: the systems table's rows. */
    public List<List<String>> systems() {
        waitFor(By.id("systems-table"));
        return rows("#systems-table tbody tr");
    }

    /** Systems: reads one record through a system; answers the field rows (field, value, known, last written). */
    public List<List<String>> readRecord(String system, String entity, String key) {
        new Select(waitFor(By.id("read-system"))).selectByValue(system);
        new Select(driver.findElement(By.id("read-entity"))).selectByValue(entity);
        WebElement keyInput = driver.findElement(By.id("read-key"));
        keyInput.clear();
        keyInput.sendKeys(key);
        driver.findElement(By.id("read-go")).click();
        waitFor(By.id("read-fields"));
        return rows("#read-fields tbody tr");
    }

    /**
     * The elements of the screen that stick out past the window's right edge (so that the page
     * scrolls sideways at laptop width), as "tag#id.class width"; empty when none does.
     */
    @SuppressWarnings("unchecked")
    public List<String> overflowing() {
        return (List<String>) script("""
                const limit = document.documentElement.clientWidth;
                return [...document.querySelectorAll('#main *')]
                  .filter((e) => e.getBoundingClientRect().right > limit + 1)
                  .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
                    + ' ' + Math.round(e.getBoundingClientRect().right));
                """);
    }

    private List<List<String>> rows(String css) {
        return driver.findElements(By.cssSelector(css)).stream()
                .map(row -> row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList()).toList();
    }
}
