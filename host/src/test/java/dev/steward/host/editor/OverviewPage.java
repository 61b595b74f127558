package dev.steward.host.editor;

import org.openqa.selenium.By;

/** The overview: health figures, errors by cause, conflicts prevented, flows with their hooks. */
public class OverviewPage extends OperationsPage {

    public OverviewPage(EditorHost host, Browser browser) {
        super(host, browser);
    }

    public OverviewPage open() {
        open("overview");
        return this;
    }

    /** A figure of the health section by its id ({@code backlog}, {@code dead-letters}...). */
    public String figure(String id) {
        return waitFor(By.cssSelector("#figure-" + id + " dd")).getText();
    }

    /** A section's text by its id ({@code health-status}, {@code errors-by-cause}, {@code conflicts-week}, {@code overview-flows}). */
    public String section(String id) {
        return waitFor(By.id(id)).getText();
    }
}
