package dev.steward.host.editor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.access.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The task, in the browser, as an author does it: build the article's mastership table
 * from nothing, add the email-format row to the validation table, run the scenarios (one fails,
 * its difference says why; moving the row fixes it), preview, save, and see the next webhooks
 * decided by the new rows, each field naming its row. The workspace starts with an empty
 * mastership table and a validation table without the email row; every step goes through the UI.
 */
class AuthoringTaskIT {

    static final String CONTACT = "CRM is the primary entry point for sales.";
    static final String CREDIT = "ERP manages fiscal risk and accounting.";
    static final String EMAIL_FORMAT = "not (is empty, matches \"[^@\\s]+@[^@\\s]+\")";
    static final String TABLE = "rules/customer-validation.table.yaml";

    @TempDir
    static Path temp;
    static EditorHost host;
    static Browser browser;
    static String originalMastership;
    static String originalTable;

    @BeforeAll
    static void start() throws Exception {
        host = EditorHost.ofExample(temp, home -> {
            originalMastership = Files.readString(home.resolve("rules/mastership.yaml"));
            originalTable = Files.readString(home.resolve(TABLE));
            Files.writeString(home.resolve("rules/mastership.yaml"), originalMastership.lines().findFirst().orElseThrow() + "\n[]\n");
            int email = originalTable.indexOf("  - field: email");
            int credit = originalTable.indexOf("  - field: creditLimit");
            Files.writeString(home.resolve(TABLE), originalTable.substring(0, email) + originalTable.substring(credit));
        });
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        host.close();
    }

    @Test
    void anAuthorBuildsTestsPreviewsAndSavesTheArticlesTableAndTheNextWebhooksAreDecidedByItsRows() {
        long started = System.nanoTime();
        EditorPage page = new EditorPage(host, browser).signIn(Role.AUTHOR);

        // the mastership table, from nothing
        GridPage mastership = new GridPage(host, browser, "mastership-grid");
        mastership.open("mastership");
        assertThat(mastership.rowCount()).isZero();
        mastership.addRow("entity", "product", "fields", "inventoryQty", "master", "erp", "subscribers", "crm",
                "reason", "ERP contains the master inventory records.");
        mastership.addRow("entity", "deal", "fields", "status", "master", "crm", "subscribers", "erp",
                "reason", "CRM owns customer-facing sales stages.");
        mastership.addRow("entity", "customer", "fields", "email, phone, address", "master", "crm", "subscribers", "erp",
                "reason", CONTACT);
        mastership.addRow("entity", "customer", "fields", "creditLimit", "master", "erp", "subscribers", "crm",
                "reason", CREDIT);
        assertThat(mastership.problems()).as("only the example's unmapped address field is flagged")
                .containsExactly("Row 3, fields: 'address' is not a field of customer in any system");
        mastership.screenshot("mastership");

        // the validation row, in the decision table
        GridPage table = new GridPage(host, browser, "table-grid");
        table.open("tables");
        assertThat(table.rowCount()).isEqualTo(1);
        table.addRow("field", "email", "new", EMAIL_FORMAT, "outcome", "invalid", "message", "email '{new}' is not an email address");
        assertThat(table.problems()).containsExactly("No problems.");

        // the scenarios, on the drafts: the email scenario names the row's line, so it fails until the row is first
        TryPage tryPage = new TryPage(host, browser);
        tryPage.open("try");
        assertThat(tryPage.drafts()).containsExactlyInAnyOrder("rules/mastership.yaml", TABLE);
        assertThat(tryPage.runScenarios()).contains("1 failed");
        assertThat(tryPage.failures()).singleElement().asString().contains("An email without an @ is invalid")
                .contains("expected invalid").contains(TABLE + ":10").contains(TABLE + ":14");
        tryPage.screenshot("scenarios");
        table.open("tables");
        table.moveUp(2);
        table.awaitChecked();
        tryPage.open("try");
        assertThat(tryPage.runScenarios()).contains("0 failed").contains("all pass");

        // the preview of the drafts against the last events
        assertThat(tryPage.preview()).matches("(?s).*\\d+ events replayed in \\d+ ms: \\d+ would be decided differently.*");
        tryPage.screenshot("try");

        // save, and time it until the host runs the new rows
        String before = host.getJson("/api/rules/versions").get("current").asText();
        long saving = System.nanoTime();
        assertThat(tryPage.saveAll()).startsWith("Saved and live");
        long saveToLive = (System.nanoTime() - saving) / 1_000_000;
        assertThat(host.getJson("/api/rules/versions").get("current").asText()).isNotEqualTo(before);
        assertThat(tryPage.drafts()).isEmpty();
        long task = (System.nanoTime() - started) / 1_000_000;

        // the YAML the author never saw: what a person would have written, comments kept
        assertThat(read("rules/mastership.yaml")).isEqualTo(originalMastership);
        assertThat(read(TABLE)).isEqualTo(originalTable);

        // the next webhooks, decided by the new rows, each field naming its row
        JsonNode run = host.awaitFinished(host.hook("crm/customer",
                "{\"id\":\"C-7001\",\"email\":\"grace@hopper.example\",\"phone\":\"+1 555 0100\",\"credit_limit\":7000}"));
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertDecision(run, "email", "accept", CONTACT, "rules/mastership.yaml:12");
        assertDecision(run, "phone", "accept", CONTACT, "rules/mastership.yaml:12");
        assertDecision(run, "creditLimit", "reject", CREDIT, "rules/mastership.yaml:17");
        JsonNode invalid = host.awaitFinished(host.hook("crm/customer", "{\"id\":\"C-7002\",\"email\":\"not-an-email\"}"));
        assertDecision(invalid, "email", "invalid", "email 'not-an-email' is not an email address", TABLE + ":10");

        System.out.printf("editor task: %d ms scripted (sign-in to live), save to live %d ms%n", task, saveToLive);
        page.screenshot("task-done");
    }

    private static String read(String path) {
        try {
            return Files.readString(host.home().resolve(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertDecision(JsonNode event, String field, String decision, String reason, String by) {
        List<JsonNode> found = new java.util.ArrayList<>();
        event.at("/trace/decisions").forEach(d -> {
            if (d.get("field").asText().equals(field)) {
                found.add(d);
            }
        });
        assertThat(found).as("the decision on " + field + " in " + event).hasSize(1);
        assertThat(found.getFirst().get("decision").asText()).isEqualTo(decision);
        assertThat(found.getFirst().get("reason").asText()).isEqualTo(reason);
        assertThat(found.getFirst().get("by").asText()).isEqualTo(by);
    }
}
