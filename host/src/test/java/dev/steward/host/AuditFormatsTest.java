package dev.steward.host;

import dev.steward.api.AuditRepair;
import dev.steward.api.AuditReport;
import dev.steward.api.AuditRequest;
import dev.steward.api.Divergence;
import dev.steward.run.Values;
import io.javalin.http.HttpResponseException;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit's request body, its table, its HTML page and its progress lines. */
class AuditFormatsTest {

    private static final Divergence HOSTILE = new Divergence("C-<1>", "email", "crm", "<script>alert(1)</script>", true,
            "erp", "a&b\"c'", true, new Divergence.Sync("2026-11-28T10:00:00Z", "evt_1", "x@example.com"),
            Divergence.Parting.outsideSteward());

    @Test
    void aRequestBodyIsCheckedKeyByKey() throws Exception {
        AuditRequest request = AuditRoutes.request(Values.JSON.readTree("{\"entity\":\"customer\",\"sample\":5,\"repair\":true}"));
        assertThat(request).isEqualTo(new AuditRequest("customer", 5, false, true, false));
        assertThat(AuditRoutes.request(Values.JSON.readTree("{\"entity\":\"customer\"}")).sample())
                .isEqualTo(AuditRequest.DEFAULT_SAMPLE);
        assertRefused("{}", "'entity' must name the entity");
        assertRefused("{\"entity\":\"customer\",\"sample\":0}", "'sample' must be a whole number");
        assertRefused("{\"entity\":\"customer\",\"sample\":2.5}", "'sample' must be a whole number");
        assertRefused("{\"entity\":\"customer\",\"sample\":5,\"all\":true}", "exclude each other");
        assertRefused("{\"entity\":\"customer\",\"apply\":true}", "'apply' goes with 'repair'");
        assertRefused("{\"entity\":\"customer\",\"repair\":\"yes\"}", "'repair' must be true or false");
        assertRefused("{\"entity\":\"customer\",\"samples\":5}", "unknown key 'samples'");
    }

    @Test
    void theHtmlPageEscapesEveryValueAndNeedsNoOtherFile() {
        String page = AuditHtml.page(List.of(report(List.of(HOSTILE))));
        assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;", "C-&lt;1&gt;", "a&amp;b\\&quot;c&#39;",
                "class=\"d outside\"", "changed outside Steward");
        assertThat(page).doesNotContain("<script>alert", "src=", "href=");
        assertThat(page.split("<script>", -1)).as("one inline script, the filter").hasSize(2);
    }

    @Test
    void theTableNamesKeyFieldBothValuesAndTheRepairs() {
        AuditRepair repair = new AuditRepair("C-<1>", "crm", "crm-customer", Map.of("email", "<script>alert(1)</script>"),
                List.of("erp"), null, "dry-run", null);
        AuditReport report = new AuditReport("aud_1", "customer", "2026-11-28T10:00:00Z", "2026-11-28T10:00:01Z",
                "sample of 100", 3, 9, List.of("crm", "erp"), List.of("email: crm -> erp"), List.of(), List.of(HOSTILE),
                List.of(repair), false, 12, 10);
        StringWriter text = new StringWriter();
        AuditText.print(report, new PrintWriter(text));
        assertThat(text.toString()).contains("KEY", "C-<1>", "email", "\"<script>alert(1)</script>\"",
                "\"a&b\\\"c'\"", "2026-11-28T10:00:00Z evt_1", "changed outside Steward", "1 divergences in 1 records.",
                "Repairs (dry run; add --apply", "C-<1> crm -> erp via crm-customer");
        StringWriter agreeing = new StringWriter();
        AuditText.print(report(List.of()), new PrintWriter(agreeing));
        assertThat(agreeing.toString()).contains("All mastered fields agree.").doesNotContain("KEY");
    }

    @Test
    void progressIsABarOnATerminalAndTenthsOtherwise() {
        StringWriter plain = new StringWriter();
        try (TerminalProgress progress = TerminalProgress.on(new PrintWriter(plain), false)) {
            for (int i = 1; i <= 1000; i++) {
                progress.step("compare", i, 1000);
            }
        }
        assertThat(plain.toString().lines()).as("the start, then each tenth").hasSize(11).first().asString().isEqualTo("audit: compare: 1/1000 (0%)");
        assertThat(plain.toString().lines().toList().getLast()).isEqualTo("audit: compare: 1000/1000 (100%)");
        assertThat(TerminalProgress.line("compare", 50, 100)).isEqualTo("compare        [###############               ] 50/100");
        assertThat(TerminalProgress.line("list crm", 12_345, -1)).isEqualTo("list crm       12,345 records");
    }

    private static AuditReport report(List<Divergence> divergences) {
        return new AuditReport("aud_1", "customer", "2026-11-28T10:00:00Z", "2026-11-28T10:00:01Z", "all", 3, 9,
                List.of("crm", "erp"), List.of("email: crm -> erp"), List.of(), divergences, List.of(), false, 12, 10);
    }

    private static void assertRefused(String body, String message) {
        assertThatThrownBy(() -> AuditRoutes.request(Values.JSON.readTree(body)))
                .isInstanceOf(HttpResponseException.class).hasMessageContaining(message);
    }
}
