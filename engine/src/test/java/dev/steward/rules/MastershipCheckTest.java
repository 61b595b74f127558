package dev.steward.rules;

import dev.steward.model.Diagnostic;
import dev.steward.model.MastershipTable;
import dev.steward.model.SourceLocation;
import dev.steward.model.UnmasteredPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static dev.steward.rules.ExampleWorkspace.mastership;
import static dev.steward.rules.ExampleWorkspace.row;
import static dev.steward.rules.ExampleWorkspace.rowIn;
import static org.assertj.core.api.Assertions.assertThat;

class MastershipCheckTest {

    private static final Set<String> SYSTEMS = Set.of("crm", "erp");

    @Test
    void theExampleTableIsFine() {
        assertThat(MastershipCheck.check(List.of(mastership()), SYSTEMS)).isEmpty();
    }

    @Test
    void twoMastersAcrossTablesAreAnErrorAtTheSecondRowNamingBoth() {
        MastershipTable other = new MastershipTable("rules/other.yaml",
                List.of(rowIn("rules/other.yaml", "customer", List.of("creditLimit", "rating"), "crm", List.of("erp"), "", 3)),
                List.of());

        assertThat(MastershipCheck.check(List.of(mastership(), other), SYSTEMS)).containsExactly(
                Diagnostic.error("rules/other.yaml", 3, 0,
                        "customer.creditLimit has two masters: erp (rules/mastership.yaml:17) and crm (rules/other.yaml:3)"));
    }

    @Test
    void twoMastersInOneTableAreAnErrorToo() {
        MastershipTable table = new MastershipTable("rules/mastership.yaml", List.of(
                row("deal", List.of("status"), "crm", List.of("erp"), "", 2),
                row("deal", List.of("amount", "status"), "erp", List.of("crm"), "", 7)), List.of());

        assertThat(MastershipCheck.conflicts(List.of(table))).extracting(Diagnostic::toString).containsExactly(
                "rules/mastership.yaml:7: error: deal.status has two masters: crm (rules/mastership.yaml:2) "
                        + "and erp (rules/mastership.yaml:7)");
    }

    @Test
    void aMasterCannotSubscribeToItself() {
        MastershipTable table = new MastershipTable("rules/mastership.yaml",
                List.of(row("product", List.of("price"), "erp", List.of("crm", "erp"), "", 4)), List.of());

        assertThat(MastershipCheck.check(List.of(table), SYSTEMS)).containsExactly(Diagnostic.error(
                "rules/mastership.yaml", 4, 0, "product [price]: erp is the master and cannot also be a subscriber"));
    }

    @Test
    void unknownSystemsAreNamedWithTheKnownOnes() {
        MastershipTable table = new MastershipTable("rules/mastership.yaml", List.of(
                row("product", List.of("price"), "sap", List.of("crm", "shop"), "", 4)), List.of());

        assertThat(MastershipCheck.check(List.of(table), SYSTEMS)).containsExactly(
                Diagnostic.error("rules/mastership.yaml", 4, 0,
                        "product [price]: unknown master system 'sap' (known systems: crm, erp)"),
                Diagnostic.error("rules/mastership.yaml", 4, 0,
                        "product [price]: unknown subscriber system 'shop' (known systems: crm, erp)"));
    }

    @Test
    void contradictoryUnmasteredPoliciesForOneEntityAreAnError() {
        MastershipTable first = new MastershipTable("rules/mastership.yaml", List.of(),
                List.of(new UnmasteredPolicy("deal", true, new SourceLocation("rules/mastership.yaml", 22))));
        MastershipTable second = new MastershipTable("rules/deals.yaml", List.of(),
                List.of(new UnmasteredPolicy("deal", false, new SourceLocation("rules/deals.yaml", 1))));

        assertThat(MastershipCheck.check(List.of(first, second), SYSTEMS)).containsExactly(
                Diagnostic.error("rules/deals.yaml", 1, 0, "deal has two unmastered policies: "
                        + "accept (rules/mastership.yaml:22) and reject (rules/deals.yaml:1)"));
    }
}
