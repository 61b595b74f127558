package dev.steward.rules;

import dev.steward.model.Diagnostic;
import dev.steward.model.DrlSource;
import dev.steward.model.MastershipTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.steward.rules.ExampleWorkspace.drl;
import static dev.steward.rules.ExampleWorkspace.fixture;
import static dev.steward.rules.ExampleWorkspace.mastership;
import static dev.steward.rules.ExampleWorkspace.row;
import static dev.steward.rules.ExampleWorkspace.rowIn;
import static org.assertj.core.api.Assertions.assertThat;

class RuleSetCompilerTest {

    private final RuleSetCompiler compiler = new RuleSetCompiler();

    /** Each fixture under {@code rules/invalid/} and the one diagnostic it must give, at the user's own line. */
    static List<Diagnostic> invalidFiles() {
        return List.of(
                Diagnostic.error("rules/syntax-error.drl", 8, 1,
                        "[ERR 102] mismatched input 'end' in rule \"Broken\""),
                // The executable model gives no line: it is where the file spells the expression.
                Diagnostic.error("rules/unknown-property.drl", 5, 44,
                        "Unable to parse left part of expression: feild == \"email\""),
                // Reported on the Java generated from the consequence, placed on the DRL line it copies.
                Diagnostic.error("rules/unknown-method.drl", 7, 5,
                        "The method invalidate(String) is undefined for the type FieldChange"),
                Diagnostic.error("rules/unknown-type.drl", 5, 10, "Unable to find class: Order"),
                // No package statement: the imports went in front of line 1, and the column is still the user's.
                Diagnostic.error("rules/no-package.drl", 1, 60,
                        "Unable to parse left part of expression: nosuch == 1"),
                // The imports went right after "package rules;": columns past them are still the user's.
                Diagnostic.error("rules/package-line.drl", 1, 65,
                        "Unable to parse left part of expression: nosuch == 1"));
    }

    @ParameterizedTest
    @MethodSource("invalidFiles")
    void aFileThatDoesNotCompileGivesDiagnosticsAtTheUsersLineAndNoRuleSet(Diagnostic expected) {
        String name = expected.file().substring("rules/".length());

        CompiledRules compiled = compiler.compile(List.of(mastership()), List.of(fixture("invalid/" + name)));

        assertThat(compiled.ruleSet()).isEmpty();
        assertThat(compiled.diagnostics()).containsExactly(expected);
    }

    @Test
    void onlyTheBrokenFileIsBlamedWhenGoodFilesComeWithIt() {
        CompiledRules compiled = compiler.compile(List.of(mastership()),
                List.of(drl("customer-validation.drl"), fixture("invalid/syntax-error.drl"), drl("deal-exceptions.drl")));

        assertThat(compiled.ruleSet()).isEmpty();
        assertThat(compiled.diagnostics()).extracting(Diagnostic::file).containsOnly("rules/syntax-error.drl");
        assertThat(compiled.diagnostics().getFirst().toString())
                .isEqualTo("rules/syntax-error.drl:8:1: error: [ERR 102] mismatched input 'end' in rule \"Broken\"");
    }

    @Test
    void theSameTextsShareOneKieBaseInAnyOrder() {
        DrlSource customer = drl("customer-validation.drl");
        DrlSource deal = drl("deal-exceptions.drl");

        RuleSet first = compiler.compile(List.of(mastership()), List.of(customer, deal)).ruleSet().orElseThrow();
        RuleSet second = compiler.compile(List.of(), List.of(deal, customer, deal)).ruleSet().orElseThrow();
        RuleSet edited = compiler.compile(List.of(mastership()),
                List.of(customer, new DrlSource(deal.file(), deal.text() + "\n"))).ruleSet().orElseThrow();

        assertThat(second.kieBase()).isSameAs(first.kieBase());
        assertThat(edited.kieBase()).isNotSameAs(first.kieBase());
    }

    @Test
    void aCachedCompileIsFarCheaperThanTheFirst() {
        List<DrlSource> drl = List.of(new DrlSource("rules/timing.drl", """
                rule "Timed"
                when
                    $c : FieldChange(field == "timing")
                then
                    $c.accept();
                end
                """));

        long start = System.nanoTime();
        compiler.compile(List.of(mastership()), drl);
        long first = System.nanoTime() - start;
        start = System.nanoTime();
        compiler.compile(List.of(mastership()), drl);
        long cached = System.nanoTime() - start;

        System.out.printf("compile: first %.1f ms, cached %.3f ms%n", first / 1e6, cached / 1e6);
        assertThat(cached).isLessThan(first / 10);
    }

    @Test
    void threadsCompilingTheSameNewTextsAtOnceGetOneKieBase() throws Exception {
        List<DrlSource> drl = List.of(new DrlSource("rules/shared.drl", """
                rule "Shared"
                when
                    $c : FieldChange(field == "shared")
                then
                    $c.accept();
                end
                """));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<RuleSet>> tasks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tasks.add(() -> compiler.compile(List.of(), drl).ruleSet().orElseThrow());
            }
            List<Future<RuleSet>> results = pool.invokeAll(tasks);
            Object kieBase = results.getFirst().get().kieBase();
            for (Future<RuleSet> result : results) {
                assertThat(result.get().kieBase()).isSameAs(kieBase);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedCompileIsCachedToo() {
        List<DrlSource> drl = List.of(fixture("invalid/unknown-type.drl"));

        CompiledRules first = compiler.compile(List.of(), drl);
        CompiledRules again = compiler.compile(List.of(), drl);

        assertThat(again.diagnostics()).isEqualTo(first.diagnostics()).isNotEmpty();
    }

    @Test
    void mastershipAloneNeedsNoKieBase() {
        CompiledRules compiled = compiler.compile(List.of(mastership()), List.of());

        assertThat(compiled.diagnostics()).isEmpty();
        assertThat(compiled.ruleSet().orElseThrow().kieBase()).isNull();
    }

    @Test
    void twoMastersForOneFieldAreRefused() {
        MastershipTable other = new MastershipTable("rules/other.yaml",
                List.of(rowIn("rules/other.yaml", "customer", List.of("creditLimit"), "crm", List.of("erp"), "CRM knows best", 3)),
                List.of());

        CompiledRules compiled = compiler.compile(List.of(mastership(), other), List.of(drl("customer-validation.drl")));

        assertThat(compiled.ruleSet()).isEmpty();
        assertThat(compiled.diagnostics()).containsExactly(Diagnostic.error("rules/other.yaml", 3, 0,
                "customer.creditLimit has two masters: erp (rules/mastership.yaml:17) and crm (rules/other.yaml:3)"));
    }

    @Test
    void rowsOfOneTableAreKeptInOrder() {
        MastershipTable table = new MastershipTable("rules/mastership.yaml",
                List.of(row("customer", List.of("email"), "crm", List.of("erp"), "CRM first", 2)), List.of());

        RuleSet rules = compiler.compile(List.of(table), List.of()).ruleSet().orElseThrow();

        assertThat(rules.rowFor("customer", "email")).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo("CRM first"));
    }
}
