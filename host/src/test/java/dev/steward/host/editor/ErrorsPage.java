package dev.steward.host.editor;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;

/** Errors: the error report, a dead letter with its payload and replay, the holds and their release. */
public class ErrorsPage extends OperationsPage {

    public ErrorsPage(EditorHost host, Browser browser) {
        super(host, browser);
    }

    public ErrorsPage open() {
        open("errors");
        return this;
    }

    /** The error report's text (cause, flow, system, status, count...). */
    public String report() {
        return waitFor(By.id("error-groups")).getText();
    }

    /** Opens a dead letter from the list. */
    public ErrorsPage openDeadLetter(String eventId) {
        waitFor(By.cssSelector("#dead-letters button[data-event='" + eventId + "']")).click();
        waitFor(By.id("dead-letter-answer"));
        return this;
    }

    /** What the target answered the last attempt. */
    public String targetAnswer() {
        return waitFor(By.id("dead-letter-answer")).getText();
    }

    public String payload() {
        return waitFor(By.id("dead-letter-payload")).getDomProperty("value");
    }

    public boolean payloadIsReadOnly() {
        return "true".equals(waitFor(By.id("dead-letter-payload")).getDomProperty("readOnly"));
    }

    /** Replaces the payload as a person would: clear it, type the new one. */
    public ErrorsPage editPayload(String json) {
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
        }, Duration.ofSeconds(20));
    }

    /** The line under the payload: edited, not JSON, replayed and how it ended. */
    public String message() {
        return driver.findElement(By.id("dead-letter-message")).getText();
    }

    /** The held fields, each as entity, key, field, since, reason, history. */
    public List<List<String>> holds() {
        waitFor(By.cssSelector("#holds, #no-holds"));
        return rows("#holds tbody tr");
    }

    public ErrorsPage release(String entity, String key, String field) {
        waitFor(By.cssSelector("button[aria-label='Release " + entity + " " + key + " " + field + "']")).click();
        return this;
    }
}
