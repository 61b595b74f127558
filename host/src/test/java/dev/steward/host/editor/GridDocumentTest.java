package dev.steward.host.editor;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The grid's round trip: rows out of a file and back, comments and order kept, cells quoted only when needed. */
class GridDocumentTest {

    static final String MASTERSHIP = """
            # Who owns each field.
            - entity: product
              fields: [inventoryQty]
              master: erp   # the warehouse
              subscribers: [crm]
              reason: ERP contains the master inventory records.

            # Sales stages
            - entity: deal
              fields: [status]
              master: crm
              subscribers: [erp]
              reason: CRM owns customer-facing sales stages.
            # end of table
            """;

    @Test
    void unchangedRowsKeepTheirTextAndCommentsExactly() {
        GridDocument doc = GridDocument.parse(GridDocument.Kind.MASTERSHIP, MASTERSHIP);
        assertThat(doc.rows()).extracting(GridDocument.Row::line).containsExactly(2, 9);
        assertThat(doc.rows().getFirst().cells()).containsEntry("fields", List.of("inventoryQty")).containsEntry("master", "erp");

        assertThat(doc.render(doc.rows(), Map.of()).text()).isEqualTo(MASTERSHIP);
    }

    @Test
    void reorderingMovesEachRowWithItsLeadingCommentAndTheHeaderAndFooterStay() {
        GridDocument doc = GridDocument.parse(GridDocument.Kind.MASTERSHIP, MASTERSHIP);
        String text = doc.render(List.of(doc.rows().get(1), doc.rows().get(0)), Map.of()).text();
        assertThat(text).startsWith("# Who owns each field.\n\n# Sales stages\n- entity: deal\n");
        assertThat(text).contains("  master: erp   # the warehouse\n").endsWith("# end of table\n");
    }

    @Test
    void aChangedRowIsWrittenAnewAndANewRowAppendedQuotingOnlyWhatYamlWouldMisread() {
        GridDocument doc = GridDocument.parse(GridDocument.Kind.MASTERSHIP, MASTERSHIP);
        List<GridDocument.Row> rows = new ArrayList<>(doc.rows());
        Map<String, Object> changed = new LinkedHashMap<>(rows.get(1).cells());
        changed.put("reason", "yes: the CRM # owns it");
        rows.set(1, new GridDocument.Row(1, 0, changed));
        rows.add(new GridDocument.Row(-1, 0, cells("customer", List.of("email", "phone"), "crm", List.of("erp"), "true")));
        GridDocument.Rendered rendered = doc.render(rows, Map.of());

        assertThat(rendered.text()).contains("""
                # Sales stages
                - entity: deal
                  fields: [status]
                  master: crm
                  subscribers: [erp]
                  reason: 'yes: the CRM # owns it'
                - entity: customer
                  fields: [email, phone]
                  master: crm
                  subscribers: [erp]
                  reason: 'true'
                # end of table
                """);
        assertThat(rendered.rowLines()).hasSize(3);
        assertThat(rendered.cellLines().get(2)).containsEntry("master", 16);
        // and it reads back as written
        GridDocument again = GridDocument.parse(GridDocument.Kind.MASTERSHIP, rendered.text());
        assertThat(again.rows().get(1).cells()).containsEntry("reason", "yes: the CRM # owns it");
        assertThat(again.rows().get(2).cells()).containsEntry("reason", "true");
    }

    @Test
    void removingEveryRowKeepsTheHeaderAndBuildingAgainStartsAfterIt() {
        GridDocument doc = GridDocument.parse(GridDocument.Kind.MASTERSHIP, MASTERSHIP);
        String empty = doc.render(List.of(), Map.of()).text();
        assertThat(empty).isEqualTo("# Who owns each field.\n[]\n# end of table\n");

        GridDocument none = GridDocument.parse(GridDocument.Kind.MASTERSHIP, empty);
        assertThat(none.rows()).isEmpty();
        String built = none.render(List.of(new GridDocument.Row(-1, 0,
                cells("customer", List.of("creditLimit"), "erp", List.of("crm"), "ERP manages fiscal risk."))), Map.of()).text();
        assertThat(built).isEqualTo("""
                # Who owns each field.
                - entity: customer
                  fields: [creditLimit]
                  master: erp
                  subscribers: [crm]
                  reason: ERP manages fiscal risk.
                # end of table
                """);
    }

    @Test
    void aDecisionTableKeepsItsTopAndItsCellsAsWrittenAndQuotesInSingleQuotes() throws Exception {
        String text = Files.readString(Path.of("..", "rules", "customer-validation.table.yaml"));
        GridDocument doc = GridDocument.parse(GridDocument.Kind.TABLE, text);
        assertThat(doc.top()).containsEntry("entity", "customer").containsEntry("hit", "first")
                .containsEntry("fields", List.of("email", "creditLimit"));
        assertThat(doc.rows()).hasSize(2);
        assertThat(doc.rows().get(1).cells()).containsEntry("new", "not (is empty, [0..10000000])");
        assertThat(doc.render(doc.rows(), doc.top()).text()).isEqualTo(text);

        List<GridDocument.Row> rows = new ArrayList<>(doc.rows());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("field", "phone");
        row.put("new", "> 1000");
        row.put("tier", "\"gold\"");
        row.put("outcome", "invalid");
        rows.add(new GridDocument.Row(-1, 0, row));
        Map<String, Object> top = new LinkedHashMap<>(doc.top());
        top.put("hit", "priority");
        String rendered = doc.render(rows, top).text();
        assertThat(rendered).contains("\nhit: priority\n").endsWith("""
                    message: credit limit {new} is not between 0 and 10,000,000
                  - field: phone
                    new: '> 1000'
                    tier: '"gold"'
                    outcome: invalid
                """);
        GridDocument again = GridDocument.parse(GridDocument.Kind.TABLE, rendered);
        assertThat(again.rows().get(2).cells()).containsEntry("new", "> 1000").containsEntry("tier", "\"gold\"");
    }

    @Test
    void whatTheGridCannotShowIsRefusedWithAReason() {
        assertThatThrownBy(() -> GridDocument.parse(GridDocument.Kind.MASTERSHIP, "entity: x\n"))
                .hasMessageContaining("a list of rows");
        assertThatThrownBy(() -> GridDocument.parse(GridDocument.Kind.MASTERSHIP, "- [unclosed\n"))
                .hasMessageContaining("not valid YAML");
        GridDocument doc = GridDocument.parse(GridDocument.Kind.MASTERSHIP, MASTERSHIP);
        assertThatThrownBy(() -> doc.render(List.of(new GridDocument.Row(-1, 0, cells("a\nb", List.of("x"), "crm", List.of(), ""))), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one line");
        assertThat(GridDocument.kindOf("rules/mastership.yaml")).contains(GridDocument.Kind.MASTERSHIP);
        assertThat(GridDocument.kindOf("rules/a.table.yaml")).contains(GridDocument.Kind.TABLE);
        assertThat(GridDocument.kindOf("flows/a.yaml")).isEmpty();
    }

    private static Map<String, Object> cells(String entity, List<String> fields, String master, List<String> subscribers, String reason) {
        Map<String, Object> cells = new LinkedHashMap<>();
        cells.put("entity", entity);
        cells.put("fields", fields);
        cells.put("master", master);
        cells.put("subscribers", subscribers);
        cells.put("reason", reason);
        return cells;
    }
}
