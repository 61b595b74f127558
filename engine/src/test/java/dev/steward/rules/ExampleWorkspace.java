package dev.steward.rules;

import dev.steward.model.DrlSource;
import dev.steward.model.MastershipRow;
import dev.steward.model.MastershipTable;
import dev.steward.model.SourceLocation;
import dev.steward.model.UnmasteredPolicy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The repository's example workspace ({@code ../rules/}, tests run in {@code engine/}): its DRL
 * files read from disk, and its mastership table built by hand, line for line, since loading
 * YAML is not the rules package's job.
 */
final class ExampleWorkspace {

    static final Path RULES = Path.of("../rules");
    static final String MASTERSHIP = "rules/mastership.yaml";

    private ExampleWorkspace() {
    }

    static MastershipTable mastership() {
        return new MastershipTable(MASTERSHIP, List.of(
                row("product", List.of("inventoryQty"), "erp", List.of("crm"), "ERP contains the master inventory records.", 2),
                row("deal", List.of("status"), "crm", List.of("erp"), "CRM owns customer-facing sales stages.", 7),
                row("customer", List.of("email", "phone", "address"), "crm", List.of("erp"), "CRM is the primary entry point for sales.", 12),
                row("customer", List.of("creditLimit"), "erp", List.of("crm"), "ERP manages fiscal risk and accounting.", 17)),
                List.of());
    }

    static MastershipTable withUnmastered(MastershipTable table, String entity, boolean accept, int line) {
        return new MastershipTable(table.file(), table.rows(),
                List.of(new UnmasteredPolicy(entity, accept, new SourceLocation(table.file(), line))));
    }

    static MastershipRow row(String entity, List<String> fields, String master, List<String> subscribers,
                             String reason, int line) {
        return rowIn(MASTERSHIP, entity, fields, master, subscribers, reason, line);
    }

    static MastershipRow rowIn(String file, String entity, List<String> fields, String master,
                               List<String> subscribers, String reason, int line) {
        return new MastershipRow(entity, fields, master, subscribers, reason, new SourceLocation(file, line));
    }

    static DrlSource drl(String name) {
        return new DrlSource("rules/" + name, read(RULES.resolve(name)));
    }

    static DrlSource fixture(String path) {
        return new DrlSource("rules/" + Path.of(path).getFileName(), read(Path.of("src/test/resources/rules", path)));
    }

    static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Record customer(String source, Map<String, Object> fields) {
        return new Record("customer", "C-1", source, fields);
    }

    static FieldChange change(Record record, String field, Object oldValue, Object newValue, RuleSet rules) {
        return new FieldChange(record.getEntity(), record.getKey(), field, oldValue, newValue, record.getSource(),
                rules.masterOf(record.getEntity(), field).orElse(null));
    }
}
