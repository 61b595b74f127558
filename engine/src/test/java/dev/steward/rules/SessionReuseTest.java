package dev.steward.rules;

import dev.steward.model.DrlSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.steward.rules.ExampleWorkspace.change;
import static dev.steward.rules.ExampleWorkspace.fixture;
import static dev.steward.rules.ExampleWorkspace.mastership;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decisions run in pooled KieSessions ({@link SessionPool}): a run on a session that decided
 * before sees nothing of the earlier run: no fact (inserted by Steward or by a rule), no global,
 * no pending activation, no halt.
 */
class SessionReuseTest {

    /**
     * Trusted, so that it may use what the DRL policy refuses in a workspace's own files (a
     * global, a rule's own insert of a fact): the most a run could leave behind in its session.
     */
    private static final DrlSource LEFTOVERS = new DrlSource("rules/leftovers.drl", """
            package rules;

            global java.util.List seen;

            rule "Remember the record" salience 10
            when
                $r : Record(entity == "customer")
            then
                drools.getKieRuntime().setGlobal("seen", java.util.List.of($r.getKey()));
                insert(new Record("memo", "memo-" + $r.getKey(), "rules", java.util.Map.of()));
            end

            // Last: invalid is final, so a leftover seen by a rule above decides first.
            rule "The global this run set is visible"
            when
                Record(entity == "memo")
                $c : FieldChange()
                eval(seen != null && seen.contains($c.getKey()))
            then
                $c.invalid("this run's global is visible");
            end

            rule "A global from another run" salience 5
            when
                $c : FieldChange()
                eval(seen != null && !seen.contains($c.getKey()))
            then
                $c.invalid("a global from another run: " + seen);
            end

            rule "A record from another run" salience 5
            when
                $c : FieldChange()
                Record(entity != "memo", key != $c.key)
            then
                $c.invalid("a record from another run");
            end

            rule "A memo from another run" salience 5
            when
                $c : FieldChange()
                Record(entity == "memo", key != "memo-" + $c.key)
            then
                $c.invalid("a memo from another run");
            end

            rule "A change from another run" salience 5
            when
                $c : FieldChange()
                FieldChange(key != $c.key)
            then
                $c.invalid("a change from another run");
            end
            """, true);

    @Test
    void aRunOnAReusedSessionSeesNoFactsOrGlobalsOfTheRunBefore() {
        RuleSet rules = compile(new RuleSetCompiler(200, 8), List.of(LEFTOVERS));
        for (String key : List.of("C-1", "C-2", "C-3")) {
            Record record = new Record("customer", key, "crm", Map.of("email", key + "@example.com"));
            FieldChange email = change(record, "email", null, key + "@example.com", rules);

            rules.decide(record, List.of(email));

            // The rules work: the global and the memo this run made are seen, and nothing else.
            assertThat(email.getDecision()).isEqualTo(new Decision(Outcome.INVALID,
                    "this run's global is visible", "rules/leftovers.drl: rule \"The global this run set is visible\""));
        }
        // Three runs, one after another, in one session.
        assertThat(rules.kieBase().getKieSessions()).hasSize(1);
    }

    @Test
    void aRunAfterOneStoppedAtTheFiringBoundStartsWithAnEmptyAgenda() {
        RuleSet rules = compile(new RuleSetCompiler(200, 8), List.of(fixture("valid/looping.drl")));
        Record looping = new Record("customer", "C-1", "crm", Map.of("email", "a@b.example"));
        FieldChange email = change(looping, "email", null, "a@b.example", rules);
        rules.decide(looping, List.of(email));
        assertThat(email.getDecision().reason()).startsWith("the rules did not settle after 200 firings");

        // The looping rule's next activation was pending when the bound stopped it.
        Record quiet = new Record("customer", "C-2", "crm", Map.of("phone", "1"));
        FieldChange phone = change(quiet, "phone", null, "1", rules);
        rules.decide(quiet, List.of(phone));

        assertThat(phone.getDecision()).isEqualTo(new Decision(Outcome.ACCEPT,
                "CRM is the primary entry point for sales.", "rules/mastership.yaml:12"));
        assertThat(rules.kieBase().getKieSessions()).hasSize(1);
    }

    @Test
    void aRunAfterOneHaltedByTheTimeBudgetRunsToItsEnd() {
        RuleSet rules = compile(new RuleSetCompiler(Integer.MAX_VALUE, 8, Duration.ofMillis(200), null),
                List.of(fixture("valid/looping.drl")));
        Record looping = new Record("customer", "C-1", "crm", Map.of("email", "a@b.example"));
        FieldChange email = change(looping, "email", null, "a@b.example", rules);
        rules.decide(looping, List.of(email));
        assertThat(email.getDecision().reason()).startsWith("the rules did not decide within 200 ms");

        for (int i = 0; i < 3; i++) {
            Record quiet = new Record("customer", "C-" + (i + 2), "crm", Map.of("phone", "1"));
            FieldChange phone = change(quiet, "phone", null, "1", rules);
            rules.decide(quiet, List.of(phone));
            assertThat(phone.getDecision().outcome()).isEqualTo(Outcome.ACCEPT);
        }
        // And the next looping record gets a budget of its own, not a halt left over.
        FieldChange again = change(looping, "email", null, "a@b.example", rules);
        long start = System.nanoTime();
        rules.decide(looping, List.of(again));
        assertThat(again.getDecision().reason()).startsWith("the rules did not decide within 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(rules.kieBase().getKieSessions()).hasSize(1);
    }

    @Test
    void runsOnSeveralThreadsAtOnceEachSeeOnlyTheirOwnRecord() throws Exception {
        RuleSet rules = compile(new RuleSetCompiler(200, 8), List.of(LEFTOVERS));
        int threads = 4;
        int runs = 200;
        List<Thread> workers = new java.util.ArrayList<>();
        java.util.Queue<String> wrong = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < runs; i++) {
                    String key = "C-" + thread + "-" + i;
                    Record record = new Record("customer", key, "crm", Map.of("email", key + "@example.com"));
                    FieldChange email = change(record, "email", null, key + "@example.com", rules);
                    rules.decide(record, List.of(email));
                    if (!email.getDecision().reason().equals("this run's global is visible")) {
                        wrong.add(key + ": " + email.getDecision());
                    }
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(wrong).isEmpty();
        assertThat(rules.kieBase().getKieSessions()).hasSizeBetween(1, threads);
    }

    private static RuleSet compile(RuleSetCompiler compiler, List<DrlSource> drl) {
        CompiledRules compiled = compiler.compile(List.of(mastership()), drl);
        assertThat(compiled.diagnostics()).isEmpty();
        return compiled.ruleSet().orElseThrow();
    }
}
