package dev.steward.rules;

import dev.steward.load.WorkspaceLoader;
import dev.steward.model.DecisionTable;
import dev.steward.model.MastershipTable;
import dev.steward.model.Workspace;
import dev.steward.run.Connectors;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What deciding one record costs: the example workspace's mastership table alone, its decision
 * table alone (and without its email regex row), both (as {@code flows/crm-customer.yaml} uses
 * them), and mastership with the
 * same checks written in DRL ({@code rules/customer-validation.drl}), side by side in one JVM.
 * Each record is the CRM's customer with three changed fields (email, phone, credit limit); each
 * round builds the changes afresh, as a run does. Not a test; run from {@code engine/} (it loads
 * the example workspace at {@code ..}):
 *
 * <pre>
 * mvn -B -q -pl engine -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/engine.cp
 * cd engine && java -cp target/classes:target/test-classes:../plugins/api/target/classes:$(cat /tmp/engine.cp) \
 *   dev.steward.rules.RuleDecisionBenchmark [warmupSeconds=10] [measureSeconds=5] [rounds=3]
 * </pre>
 */
public final class RuleDecisionBenchmark {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int measure = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        RuleSetCompiler compiler = new RuleSetCompiler();
        Workspace example = new WorkspaceLoader(Connectors.discover(RuleDecisionBenchmark.class.getClassLoader()),
                compiler, name -> null).load(Path.of(".."));
        if (!example.diagnostics().isEmpty()) {
            throw new IllegalStateException("the example workspace has problems: " + example.diagnostics());
        }
        MastershipTable mastership = example.mastership().get("mastership.yaml");
        DecisionTable table = example.decisionTables().get("customer-validation.table.yaml");
        Map<String, RuleSet> sets = new LinkedHashMap<>();
        sets.put("mastership table only", compiler.compile(List.of(mastership), List.of()).ruleSet().orElseThrow());
        sets.put("decision table only", compiler.compile(List.of(), List.of(table), List.of()).ruleSet().orElseThrow());
        // The same table without its email row: what the table costs apart from the regex the row asks for.
        DecisionTable rangeOnly = new DecisionTable(table.file(), table.entity(), table.fields(), table.hit(), table.complete(),
                table.columns(), table.rows().stream().filter(row -> row.cell("new").tests().stream()
                        .noneMatch(test -> test instanceof dev.steward.expr.UnaryTest.Matches)).toList(), table.location());
        sets.put("decision table, range row only", compiler.compile(List.of(), List.of(rangeOnly), List.of())
                .ruleSet().orElseThrow());
        sets.put("mastership + decision table", compiler.compile(List.of(mastership), List.of(table), List.of())
                .ruleSet().orElseThrow());
        sets.put("mastership + DRL (same checks)", compiler.compile(List.of(mastership),
                List.of(example.drl().get("customer-validation.drl"))).ruleSet().orElseThrow());

        System.out.printf("JDK %s, %d cores; one record = 3 changed fields; %d s warm-up, %d rounds of %d s each%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), warmup, rounds, measure);
        Record record = new Record("customer", "C-1", "crm",
                Map.of("email", "ann@example.com", "phone", "+44 20 7946 0001", "creditLimit", 9000));
        for (RuleSet rules : sets.values()) {
            loop(rules, record, warmup * 1_000_000_000L);
        }
        Map<String, List<double[]>> figures = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            // Interleaved rounds: a burst of load on the shared machine hits every rule set alike.
            for (Map.Entry<String, RuleSet> set : sets.entrySet()) {
                figures.computeIfAbsent(set.getKey(), k -> new ArrayList<>()).add(loop(set.getValue(), record,
                        measure * 1_000_000_000L));
            }
        }
        System.out.printf("%-32s %14s %14s%n", "rule set", "wall ns/record", "CPU ns/record");
        figures.forEach((name, results) -> {
            double wall = results.stream().mapToDouble(r -> r[0]).min().orElseThrow();
            double cpu = results.stream().mapToDouble(r -> r[1]).min().orElseThrow();
            System.out.printf("%-32s %14.0f %14.0f%n", name, wall, cpu);
        });
    }

    /** Decides the record for {@code nanos}; the wall and CPU nanoseconds per record. */
    private static double[] loop(RuleSet rules, Record record, long nanos) {
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long count = 0;
        long sink = 0;
        while (System.nanoTime() - start < nanos) {
            for (int i = 0; i < 100; i++) {
                List<FieldChange> changes = List.of(
                        new FieldChange("customer", "C-1", "email", "ann@old.example", "ann@example.com", "crm", "crm"),
                        new FieldChange("customer", "C-1", "phone", null, "+44 20 7946 0001", "crm", "crm"),
                        new FieldChange("customer", "C-1", "creditLimit", 5000, 9000, "crm", "erp"));
                rules.decide(record, changes);
                sink += changes.getLast().getDecision().outcome().ordinal();
            }
            count += 100;
        }
        long wall = System.nanoTime() - start;
        long cpu = CPU.getCurrentThreadCpuTime() - cpuStart;
        if (sink < 0) {
            System.out.println(sink);
        }
        return new double[] {(double) wall / count, (double) cpu / count};
    }
}
