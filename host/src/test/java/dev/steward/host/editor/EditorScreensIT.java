package dev.steward.host.editor;

import dev.steward.host.access.Role;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authoring screens one behaviour at a time: spreadsheet paste, flags as you type, DRL
 * diagnostics at their line and the policy's refusal, what a viewer sees; a screenshot of every
 * screen; and the editor's weight and time to interactive on first load.
 */
class EditorScreensIT extends BrowserTest {

    @Test
    void fourRowsPastedFromASpreadsheetBecomeRowsAndTheirProblemsAreFlaggedAsYouType() {
        page().signIn(Role.AUTHOR);
        GridPage grid = new GridPage(host, browser, "mastership-grid");
        grid.open("mastership");
        int before = grid.rowCount();
        grid.addRow();
        grid.paste(before + 1, "entity", String.join("\n",
                "entity\tfields\tmaster\tsubscribers\treason",
                "customer\tregion\tcrm\terp\tSales owns territories.",
                "product\tprice, currency\terp\tcrm\tPricing lives in the ERP.",
                "deal\tamount\tcrm\terp\tThe deal value is negotiated in the CRM.",
                "invoice\ttotal\tsap\tcrm\tInvoices come from finance."));

        grid.waitUntil(d -> grid.rowCount() == before + 4);
        assertThat(grid.value(before + 1, "entity")).isEqualTo("customer");
        assertThat(grid.value(before + 2, "fields")).isEqualTo("price, currency");
        assertThat(grid.value(before + 4, "reason")).isEqualTo("Invoices come from finance.");
        assertThat(grid.messageAt(before + 4, "entity")).startsWith("no system has an entity 'invoice'");
        assertThat(grid.messageAt(before + 4, "master")).isEqualTo("no system 'sap' (crm, erp)");
        assertThat(grid.messageAt(before + 1, "fields")).isEqualTo("'region' is not a field of customer in any system");

        // two masters for one field, flagged on both rows as soon as it is typed
        grid.type(before + 3, "fields", "status");
        assertThat(grid.messageAt(before + 3, "fields")).isEqualTo("status of deal has two masters: rows 2 and " + (before + 3));
        assertThat(grid.messageAt(2, "fields")).isEqualTo("status of deal has two masters: rows 2 and " + (before + 3));
        assertThat(grid.problems()).anyMatch(p -> p.contains("deal.status has two masters"));
        grid.screenshot("mastership-paste");
    }

    @Test
    void aDrlErrorIsMarkedAtItsLineAsYouTypeAndGoesAwayWhenFixed() {
        page().signIn(Role.DEVELOPER);
        CodePage drl = new CodePage(host, browser).openFile("drl", "rules/customer-validation.drl");
        String original = drl.text();
        int lines = original.split("\n", -1).length;

        drl.typeAtEnd("\nrule \"Broken\" when FieldChange( then end");
        int line = drl.awaitErrorMarker();
        assertThat(line).isGreaterThanOrEqualTo(lines);
        assertThat(drl.markedLines()).contains((long) line);
        drl.screenshot("drl-error");

        drl.undoUntil(original);
        drl.awaitNoErrors();
        assertThat(drl.save()).startsWith("Saved; live as rules version");
        drl.screenshot("drl");
    }

    @Test
    void aRuleThatCallsSystemExitIsRefusedWithThePolicysMessage() {
        page().signIn(Role.DEVELOPER);
        CodePage drl = new CodePage(host, browser).openFile("drl", "rules/deal-exceptions.drl");
        String original = drl.text();
        drl.typeAtEnd("\nrule \"Stop\" when FieldChange() then System.exit(1); end");
        drl.awaitErrorMarker();
        assertThat(drl.problems()).anyMatch(p -> p.contains("System.exit") && p.contains("DRL policy"));
        assertThat(drl.save()).startsWith("Not saved");
        drl.screenshot("drl-refused");
        drl.undoUntil(original);
        drl.awaitNoErrors();
    }

    @Test
    void aViewerSeesEveryScreenReadOnlyWithNoSaveButton() {
        EditorPage page = page().signIn(Role.VIEWER);
        assertThat(page.navigation()).contains("Mastership", "Decision tables", "Flows").doesNotContain("DRL", "Scenarios and preview");
        GridPage mastership = new GridPage(host, browser, "mastership-grid");
        mastership.open("mastership");
        assertThat(mastership.hasSaveButton()).isFalse();
        assertThat(browser.driver().findElements(By.id("add-row"))).isEmpty();
        assertThat(mastership.cell(1, "entity").getDomAttribute("readonly")).isNotNull();
        assertThat(browser.driver().findElement(By.id("read-only")).getText()).contains("Read-only");
        mastership.screenshot("mastership-viewer");

        GridPage tables = new GridPage(host, browser, "table-grid");
        tables.open("tables");
        assertThat(tables.hasSaveButton()).isFalse();
        CodePage flows = new CodePage(host, browser).openFile("flows", "flows/crm-customer.yaml");
        assertThat(flows.hasSaveButton()).isFalse();
    }

    @Test
    void flowCompletionOffersTheSchemasKeysAndTheWorkspacesSystems() {
        page().signIn(Role.AUTHOR);
        CodePage flows = new CodePage(host, browser).openFile("flows", "flows/crm-customer.yaml");
        flows.typeAtEnd("\nret");
        List<String> keys = completions(flows);
        assertThat(keys).contains("retry");
        flows.screenshot("flows");
        flows.typeAtEnd(org.openqa.selenium.Keys.ESCAPE + "\n");
        flows.undoUntil(flows.text().replace("\nret\n", "\n"));
    }

    @Test
    void everyScreenRendersAndTheFirstLoadIsSmallAndQuick() {
        EditorPage page = page().signIn(Role.ADMIN);
        for (String screen : List.of("mastership", "tables", "try", "flows", "drl")) {
            page.open(screen);
            page.screenshot(screen + (screen.equals("mastership") ? "-admin" : ""));
        }
        // first loads in fresh browser profiles (nothing cached): the grid alone, and a screen with the code editor
        Map<String, Object> grid;
        Map<String, Object> code;
        try (Browser fresh = Browser.start()) {
            grid = timings(new EditorPage(host, fresh).signIn("admin", EditorHost.password(Role.ADMIN), "mastership"), "mastership");
        }
        try (Browser fresh = Browser.start()) {
            code = timings(new EditorPage(host, fresh).signIn("admin", EditorHost.password(Role.ADMIN), "flows"), "flows");
        }
        System.out.printf("editor first load, mastership: %s%neditor first load, flows (CodeMirror): %s%n", grid, code);
        assertThat(((Number) grid.get("transferredBytes")).longValue()).isLessThan(100_000);
        assertThat(((Number) code.get("transferredBytes")).longValue()).isBetween(100_000L, 600_000L);
        assertThat(((Number) code.get("decodedBytes")).longValue()).as("compressed on the wire")
                .isGreaterThan(3 * ((Number) code.get("transferredBytes")).longValue());
    }

    /** Bytes on the wire (compressed) since the page loaded, and the time to the screen being usable. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> timings(EditorPage page, String screen) {
        return (Map<String, Object>) page.script("""
                const nav = performance.getEntriesByType('navigation')[0];
                const resources = performance.getEntriesByType('resource');
                const mounted = performance.getEntriesByName('steward-mounted:' + arguments[0])[0];
                const bytes = nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0);
                const decoded = nav.decodedBodySize + resources.reduce((sum, r) => sum + r.decodedBodySize, 0);
                return {transferredBytes: bytes, decodedBytes: decoded, files: resources.length + 1,
                        domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
                        interactiveMs: mounted ? Math.round(mounted.startTime) : -1};
                """, screen);
    }

    @SuppressWarnings("unchecked")
    private static List<String> completions(CodePage page) {
        return page.waitUntil(d -> {
            List<String> labels = d.findElements(By.cssSelector(".cm-tooltip-autocomplete li .cm-completionLabel")).stream()
                    .map(e -> e.getText()).toList();
            return labels.isEmpty() ? null : labels;
        });
    }
}
