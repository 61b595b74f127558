package dev.steward.host.editor;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import java.util.List;

/** Systems: connectors, breakers and rate limits, and reading a record through a system. */
public class SystemsPage extends OperationsPage {

    public SystemsPage(EditorHost host, Browser browser) {
        super(host, browser);
    }

    public SystemsPage open() {
        open("systems");
        return this;
    }

    /** The systems, each as name, connector, entities, breaker, since, failure rate, last failure, rate limit. */
    public List<List<String>> systems() {
        waitFor(By.id("systems-table"));
        return rows("#systems-table tbody tr");
    }

    /** Reads one record through a system; answers its fields, each as field, value, known, last written. */
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

    /** The notice a role below operator sees instead of the read form. */
    public String readNotice() {
        return waitFor(By.id("read-needs-operator")).getText();
    }

    public boolean canRead() {
        return !driver.findElements(By.id("read-go")).isEmpty();
    }
}
