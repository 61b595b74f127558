package dev.steward.host.editor;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;

/**
 * A grid screen (mastership, decision tables) as a person uses it: rows added, typed, removed,
 * moved and pasted; the messages at the cells; the problems list; save.
 */
public class GridPage extends EditorPage {

    private final String gridId;

    public GridPage(EditorHost host, Browser browser, String gridId) {
        super(host, browser);
        this.gridId = gridId;
    }

    public int rowCount() {
        return driver.findElements(By.cssSelector("#" + gridId + " tbody tr[data-row]")).size();
    }

    /** Removes rows from the top until none is left, with the rows' remove buttons. */
    public GridPage removeAllRows() {
        while (rowCount() > 0) {
            int before = rowCount();
            driver.findElement(By.cssSelector("#" + gridId + " tbody tr[data-row='0'] button.remove")).click();
            waitUntil(d -> rowCount() == before - 1);
        }
        return this;
    }

    public GridPage removeRow(int number) {
        int before = rowCount();
        driver.findElement(By.cssSelector("#" + gridId + " button[aria-label='Remove row " + number + "']")).click();
        waitUntil(d -> rowCount() == before - 1);
        return this;
    }

    public GridPage moveUp(int number) {
        driver.findElement(By.cssSelector("#" + gridId + " button[aria-label='Move row " + number + " up']")).click();
        return this;
    }

    /** Clicks "Add row" and types the values into the new row's cells, column by column. */
    public GridPage addRow(String... columnsAndValues) {
        int before = rowCount();
        driver.findElement(By.id("add-row")).click();
        waitUntil(d -> rowCount() == before + 1);
        for (int i = 0; i < columnsAndValues.length; i += 2) {
            type(before + 1, columnsAndValues[i], columnsAndValues[i + 1]);
        }
        return this;
    }

    /** Replaces a cell's text by typing, as a person does. Rows count from 1. */
    public GridPage type(int row, String column, String text) {
        WebElement input = cell(row, column);
        input.click();
        input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        input.sendKeys(text);
        return this;
    }

    public WebElement cell(int row, String column) {
        return driver.findElement(By.cssSelector("#" + gridId + " tr[data-row='" + (row - 1) + "'] input[data-cell='" + column + "']"));
    }

    public String value(int row, String column) {
        return cell(row, column).getDomProperty("value");
    }

    /** The message under a cell, once there is one. */
    public String messageAt(int row, String column) {
        By locator = By.cssSelector("#" + gridId + " tr[data-row='" + (row - 1) + "'] td[data-cell='" + column + "'] .cell-msg");
        return waitUntil(d -> {
            String text = d.findElement(locator).getText();
            return text.isEmpty() ? null : text;
        });
    }

    /**
     * Pastes tab-separated text into a cell as the browser does when a person pastes cells
     * copied from a spreadsheet (a paste event with the text on the clipboard).
     */
    public GridPage paste(int row, String column, String tsv) {
        WebElement input = cell(row, column);
        script("""
                const data = new DataTransfer();
                data.setData('text/plain', arguments[1]);
                arguments[0].focus();
                arguments[0].dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
                """, input, tsv);
        return this;
    }

    /** The problems list, once the host's check has answered (no "Checking…"). */
    public List<String> problems() {
        awaitChecked();
        return driver.findElements(By.cssSelector(".problems li")).stream().map(WebElement::getText).toList();
    }

    /** Waits until the host's check of the latest edit is shown (the screen's data-check is "done"). */
    public void awaitChecked() {
        waitUntil(d -> {
            String status = d.findElement(By.cssSelector(".status-line")).getText();
            boolean done = !d.findElements(By.cssSelector("section.screen[data-check='done']")).isEmpty();
            return done && !status.contains("Checking") && !status.isEmpty();
        }, Duration.ofSeconds(30));
    }

    public boolean hasSaveButton() {
        return !driver.findElements(By.id("save")).isEmpty();
    }

    /** Clicks Save and waits for the status to say it is live (or why not). */
    public String save() {
        awaitChecked();
        driver.findElement(By.id("save")).click();
        return waitUntil(d -> {
            String status = d.findElement(By.cssSelector(".status-line")).getText();
            return status.startsWith("Saved;") || status.startsWith("Not saved") ? status : null;
        }, Duration.ofSeconds(30));
    }
}
