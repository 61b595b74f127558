package dev.steward.host.editor;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.util.List;

/** Runs: filtering the recent events and reading one run's trace. */
public class RunsPage extends OperationsPage {

    public RunsPage(EditorHost host, Browser browser) {
        super(host, browser);
    }

    public RunsPage open() {
        open("runs");
        return this;
    }

    /** Chooses the filters (empty for any) and submits them; waits for the list. */
    public RunsPage filter(String flow, String status, String key) {
        new Select(waitFor(By.id("runs-flow"))).selectByValue(flow);
        new Select(driver.findElement(By.id("runs-status"))).selectByValue(status);
        WebElement keyInput = driver.findElement(By.id("runs-key"));
        keyInput.clear();
        keyInput.sendKeys(key);
        driver.findElement(By.id("runs-filter")).click();
        waitUntil(d -> "false".equals(d.findElement(By.id("runs-list")).getDomAttribute("aria-busy")));
        return this;
    }

    /** The listed runs' cells of one column: 0 run, 1 flow, 2 key, 3 status. */
    public List<String> column(int column) {
        return rows("#runs-table tbody tr").stream().map(row -> row.get(column)).toList();
    }

    /** Opens a listed run's trace by its event id. */
    public RunsPage openRun(String eventId) {
        waitFor(By.cssSelector("#runs-table button[data-event='" + eventId + "']")).click();
        waitFor(By.id("trace-summary"));
        return this;
    }

    /** The trace's decisions, each as field, old, new, decision, reason, by. */
    public List<List<String>> decisions() {
        return rows("#trace-decisions tbody tr");
    }

    /** The trace's writes, each as system, fields, result, error. */
    public List<List<String>> writes() {
        return rows("#trace-writes tbody tr");
    }
}
