package dev.steward.rules;

import dev.steward.model.Diagnostic;
import dev.steward.model.DrlSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.steward.rules.ExampleWorkspace.change;
import static dev.steward.rules.ExampleWorkspace.customer;
import static dev.steward.rules.ExampleWorkspace.fixture;
import static dev.steward.rules.ExampleWorkspace.mastership;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DRL policy: the attacks of the DRL safety experiments (A1-A12, B1, B4, B5), unicode
 * escapes and a few more are each refused at the rule's line with the member they use; the
 * rules users write still compile; {@code trustedDrl} lifts the policy; runaway rules are
 * bounded.
 */
class DrlPolicyTest {

    private final RuleSetCompiler compiler = new RuleSetCompiler(200, 8);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            a01-consequence-calls-system.drl  | 4 | rule "A1" uses java.lang.System.setProperty
            a02-reflection.drl                | 4 | rule "A2" uses java.lang.Class.forName
            a03-constraint-fully-qualified.drl| 4 | rule "A3" uses java.lang.System.setProperty
            a04-eval.drl                      | 4 | rule "A4" uses java.lang.System.setProperty
            a05-from.drl                      | 4 | rule "A5" uses java.lang.System.setProperty
            a06-function.drl                  | 4 | function 'f' is not allowed
            a07-inline-accumulate.drl         | 6 | accumulate with init/action/reverse/result code is not allowed
            a08-mvel-dialect.drl              | 5 | dialect "mvel" is not allowed
            a09-get-class.drl                 | 4 | rule "A9" uses java.lang.Object.getClass
            a10-import-function.drl           | 3 | import function java.lang.System.setProperty is not allowed
            a11-constructor-in-constraint.drl | 4 | rule "A11" uses java.lang.System.setProperty
            a12-mvel-untyped.drl              | 5 | dialect "mvel" is not allowed
            b01-kie-runtime.drl               | 4 | rule "B1" uses org.drools.core.rule.consequence.KnowledgeHelper.getKieRuntime
            b04-service-loader.drl            | 4 | rule "B4" uses java.util.ServiceLoader
            b05-loop.drl                      | 4 | rule "B5" has a loop
            u01-unicode-escape.drl            | 4 | rule "U1" uses java.lang.System.exit
            u02-unicode-brace.drl             | 4 | Unable to parse consequence
            c01-runtime-exec.drl              | 4 | rule "C1" uses java.lang.Runtime.getRuntime
            c02-files.drl                     | 4 | rule "C2" uses java.nio.file.Files.readString
            c03-thread.drl                    | 4 | rule "C3" uses java.lang.Thread
            c04-socket.drl                    | 4 | rule "C4" uses java.net.Socket
            c05-system-exit.drl               | 4 | rule "C5" uses java.lang.System.exit
            c06-method-reference.drl          | 4 | rule "C6" uses java.lang.System.exit
            c07-class-loader.drl              | 4 | rule "C7" uses java.lang.Class.getClassLoader
            """)
    void anAttackIsRefusedAtItsLineNamingWhatItUses(String file, int line, String message) {
        CompiledRules compiled = compiler.compile(List.of(), List.of(fixture("refused/" + file)));

        assertThat(compiled.ruleSet()).isEmpty();
        assertThat(compiled.diagnostics()).filteredOn(Diagnostic::isError)
                .as(compiled.diagnostics().toString())
                .anySatisfy(d -> {
                    assertThat(d.file()).isEqualTo("rules/" + file);
                    assertThat(d.line()).isEqualTo(line);
                    assertThat(d.message()).contains(message);
                });
    }

    @Test
    void theExampleWorkspacesRulesPassThePolicy() throws Exception {
        List<DrlSource> drl;
        try (var files = Files.list(ExampleWorkspace.RULES)) {
            drl = files.filter(f -> f.toString().endsWith(".drl")).sorted()
                    .map(f -> new DrlSource("rules/" + f.getFileName(), ExampleWorkspace.read(f))).toList();
        }
        assertThat(drl).hasSize(2);

        assertThat(compiler.compile(List.of(mastership()), drl).diagnostics()).isEmpty();
    }

    @Test
    void whatRulesCommonlyDoPassesThePolicy() {
        CompiledRules compiled = compiler.compile(List.of(mastership()), List.of(new DrlSource("rules/common.drl", """
                package rules;
                import java.time.LocalDate;
                import java.math.BigDecimal;
                import java.util.List;

                rule "Dates and decimals" salience 5 no-loop
                when
                    $r : Record(entity == "customer", has("since"))
                    $c : FieldChange(field == "creditLimit", newValue != null,
                                     new BigDecimal(newValue.toString()).compareTo(BigDecimal.valueOf(1000)) > 0)
                    eval( Math.abs(-1) == 1 )
                    not FieldChange(field == "blocked")
                    exists FieldChange(entity == "customer")
                then
                    LocalDate since = LocalDate.parse(String.valueOf($r.get("since")));
                    List<String> notes = new java.util.ArrayList<>();
                    notes.add("since " + since.getYear());
                    java.util.Map<String, Object> fields = $r.getFields();
                    $c.reject(String.join(", ", notes) + " " + fields.size() + " " + String.format("%.2f", 1.5)
                            + " " + $c.getField().toUpperCase().trim().substring(0, 1));
                end

                rule "Counting and summing"
                when
                    $n : Number(intValue > 5) from accumulate( FieldChange($f : field), count($f) )
                    accumulate( FieldChange($l : field.length()); $sum : sum($l), $min : min($l), $max : max($l),
                                $avg : average($l), $names : collectList($l) )
                    $all : List() from collect( FieldChange() )
                then
                    System.out.hashCode();
                end
                """)));

        assertThat(compiled.diagnostics()).filteredOn(Diagnostic::isError)
                .extracting(Diagnostic::message).containsExactly(
                        "rule \"Counting and summing\" uses java.lang.System.out, which rules may not use (DRL policy; see rules.trustedDrl)");
    }

    @Test
    void insertUpdateAndModifyArePartOfTheConsequenceContext() {
        CompiledRules compiled = compiler.compile(List.of(), List.of(new DrlSource("rules/context.drl", """
                rule "Touch once"
                    no-loop
                when
                    $c : FieldChange(field == "email", outcome != "invalid")
                then
                    modify($c) { accept("touched") };
                    update($c);
                    insert(new Decision(Outcome.ACCEPT, "kept", "rule"));
                end

                rule "Forget decisions"
                when
                    $d : Decision()
                then
                    delete($d);
                end
                """)));

        assertThat(compiled.diagnostics()).isEmpty();
    }

    @Test
    void trustedDrlSkipsThePolicyForThatFileOnly() {
        String text = """
                package rules;

                rule "Trusted"
                when
                    $c : FieldChange(field == "email")
                then
                    $c.accept(System.getProperty("java.specification.version"));
                end
                """;
        DrlSource trusted = new DrlSource("rules/trusted.drl", text, true);

        CompiledRules untrusted = compiler.compile(List.of(), List.of(new DrlSource("rules/trusted.drl", text)));
        CompiledRules lifted = compiler.compile(List.of(), List.of(trusted));
        CompiledRules mixed = compiler.compile(List.of(), List.of(trusted, fixture("refused/c05-system-exit.drl")));

        assertThat(untrusted.diagnostics()).extracting(Diagnostic::message)
                .containsExactly("rule \"Trusted\" uses java.lang.System.getProperty, which rules may not use (DRL policy; see rules.trustedDrl)");
        assertThat(lifted.diagnostics()).isEmpty();
        RuleSet rules = lifted.ruleSet().orElseThrow();
        Record record = customer("crm", Map.of("email", "a@b.example"));
        FieldChange email = change(record, "email", null, "a@b.example", rules);
        rules.decide(record, List.of(email));
        assertThat(email.getDecision().reason()).isEqualTo(System.getProperty("java.specification.version"));
        assertThat(mixed.diagnostics()).extracting(Diagnostic::file, Diagnostic::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("rules/c05-system-exit.drl",
                        "rule \"C5\" uses java.lang.System.exit, which rules may not use (DRL policy; see rules.trustedDrl)"));
    }

    @Test
    void aRefusedSystemExitRuleNeverReachesTheJvm() {
        // Refused at compile: the rule set that decides stays the last good one, and this JVM
        // (the test's) is still here to decide with it.
        CompiledRules refused = compiler.compile(List.of(mastership()), List.of(fixture("refused/c05-system-exit.drl")));
        RuleSet lastGood = compiler.compile(List.of(mastership()), List.of()).ruleSet().orElseThrow();
        Record record = customer("crm", Map.of("email", "a@b.example"));
        FieldChange email = change(record, "email", null, "a@b.example", lastGood);

        lastGood.decide(record, List.of(email));

        assertThat(refused.ruleSet()).isEmpty();
        assertThat(email.getDecision().outcome()).isEqualTo(Outcome.ACCEPT);
    }

    @Test
    void rulesThatRunPastTheTimeBudgetAreHaltedAndTheRecordQuarantined() {
        RuleSetCompiler patient = new RuleSetCompiler(Integer.MAX_VALUE, 8, Duration.ofMillis(300), null);
        RuleSet rules = patient.compile(List.of(), List.of(fixture("valid/looping.drl"))).ruleSet().orElseThrow();
        Record record = customer("crm", Map.of("email", "a@b.example"));
        FieldChange email = change(record, "email", null, "a@b.example", rules);

        long start = System.nanoTime();
        rules.decide(record, List.of(email));
        long millis = (System.nanoTime() - start) / 1_000_000;

        assertThat(email.getDecision().outcome()).isEqualTo(Outcome.INVALID);
        assertThat(email.getDecision().reason()).startsWith("the rules did not decide within 300 ms (")
                .endsWith(" firings); halted");
        assertThat(email.getDecision().by()).isEqualTo("rules/looping.drl: rule \"Touch every email\"");
        assertThat(millis).isLessThan(5_000);
    }

    @Test
    void aCompilationIsKeptOnDiskAndCheckedAgainWhenLoaded(@TempDir Path cache) throws Exception {
        List<DrlSource> drl = List.of(fixture("valid/looping.drl"));
        new RuleSetCompiler(200, 8, Duration.ofSeconds(2), cache).compile(List.of(), drl);
        List<Path> jars;
        try (var files = Files.list(cache)) {
            jars = files.toList();
        }
        assertThat(jars).hasSize(1);
        assertThat(jars.getFirst().getFileName().toString()).matches("[0-9a-f]{64}\\.jar");

        RuleSet cached = new RuleSetCompiler(200, 8, Duration.ofSeconds(2), cache).compile(List.of(), drl)
                .ruleSet().orElseThrow();
        Record record = customer("crm", Map.of("email", "a@b.example"));
        FieldChange email = change(record, "email", null, "a@b.example", cached);
        cached.decide(record, List.of(email));
        assertThat(email.getDecision().reason()).startsWith("the rules did not settle after 200 firings");

        // A jar that a trusted file left (or anyone wrote) under an untrusted file's key is refused on load.
        DrlSource exit = fixture("refused/c05-system-exit.drl");
        new RuleSetCompiler(200, 8, Duration.ofSeconds(2), cache)
                .compile(List.of(), List.of(new DrlSource(exit.file(), exit.text(), true)));
        CompiledRules loaded = new RuleSetCompiler(200, 8, Duration.ofSeconds(2), cache).compile(List.of(), List.of(exit));
        assertThat(loaded.ruleSet()).isEmpty();
        assertThat(loaded.diagnostics()).extracting(Diagnostic::message)
                .containsExactly("rule \"C5\" uses java.lang.System.exit, which rules may not use (DRL policy; see rules.trustedDrl)");
    }
}
