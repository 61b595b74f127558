import dev.steward.model.DrlSource;
import dev.steward.rules.FieldChange;
import dev.steward.rules.Record;
import dev.steward.rules.RuleSet;
import dev.steward.rules.RuleSetCompiler;

import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compile and decision cost of DRL, for bench/drl.md. Uses only the API that the engine had
 * before the DRL policy (RuleSetCompiler(), compile, RuleSet.decide), so the same source runs
 * against the classic engine of main and the executable model with the policy; the
 * policy-only figures (trusted vs checked, cached) are found by reflection and skipped before.
 *
 * <pre>java -cp ENGINE_CLASSPATH bench/DrlBenchmark.java &lt;rules dir&gt; [decisions] [decide]</pre>
 *
 * With {@code decide}, only the decision cost is measured.
 */
public class DrlBenchmark {

    public static void main(String[] args) throws Exception {
        Path rulesDir = Path.of(args[0]);
        int decisions = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        List<DrlSource> example = new ArrayList<>();
        try (var files = Files.list(rulesDir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".drl")).sorted().toList()) {
                example.add(new DrlSource("rules/" + file.getFileName(), Files.readString(file)));
            }
        }
        List<DrlSource> generated = List.of(new DrlSource("rules/generated.drl", generated(500)));
        boolean decideOnly = args.length > 2 && args[2].equals("decide");
        if (!decideOnly) {
            compileCosts(example, generated);
        }
        RuleSet rules = compile(new RuleSetCompiler(), example);
        decide(rules, decisions / 4);
        long[] rounds = new long[5];
        for (int i = 0; i < rounds.length; i++) {
            long start = System.nanoTime();
            decide(rules, decisions);
            rounds[i] = (System.nanoTime() - start) / decisions;
        }
        Arrays.sort(rounds);
        System.out.printf("decide one record (2 changes) with the example rules: %d ns (median of 5 x %d; min %d, max %d)%n",
                rounds[2], decisions, rounds[0], rounds[4]);
    }

    private static void compileCosts(List<DrlSource> example, List<DrlSource> generated) throws Exception {
        long first = time(() -> compile(new RuleSetCompiler(), example));
        System.out.printf("example DRL (%d files), first compile in this JVM: %d ms%n", example.size(), first);
        System.out.printf("example DRL, compile (median of 7, fresh compiler each): %d ms%n",
                median(7, () -> compile(new RuleSetCompiler(), example)));
        System.out.printf("500 generated rules, compile (median of 3): %d ms%n",
                median(3, () -> compile(new RuleSetCompiler(), generated)));

        Constructor<DrlSource> trusted = constructor(DrlSource.class, String.class, String.class, boolean.class);
        Constructor<RuleSetCompiler> cached = constructor(RuleSetCompiler.class, int.class, int.class, Duration.class, Path.class);
        if (trusted != null && cached != null) {
            List<DrlSource> trustedGenerated = List.of(trusted.newInstance("rules/generated.drl", generated.getFirst().text(), true));
            List<DrlSource> trustedExample = new ArrayList<>();
            for (DrlSource source : example) {
                trustedExample.add(trusted.newInstance(source.file(), source.text(), true));
            }
            System.out.printf("example DRL, trusted (no policy) compile (median of 7): %d ms%n",
                    median(7, () -> compile(new RuleSetCompiler(), trustedExample)));
            System.out.printf("500 generated rules, trusted (no policy) compile (median of 3): %d ms%n",
                    median(3, () -> compile(new RuleSetCompiler(), trustedGenerated)));
            Path dir = Files.createTempDirectory("drl-cache");
            compile(cached.newInstance(10_000, 64, Duration.ofSeconds(2), dir), example);
            compile(cached.newInstance(10_000, 64, Duration.ofSeconds(2), dir), generated);
            System.out.printf("example DRL, from the disk cache, checked again (median of 7): %d ms%n",
                    median(7, () -> compile(cached.newInstance(10_000, 64, Duration.ofSeconds(2), dir), example)));
            System.out.printf("500 generated rules, from the disk cache, checked again (median of 3): %d ms%n",
                    median(3, () -> compile(cached.newInstance(10_000, 64, Duration.ofSeconds(2), dir), generated)));
        }
    }

    private static void decide(RuleSet rules, int n) {
        for (int i = 0; i < n; i++) {
            String email = (i % 3 == 0) ? "not-an-email" : "a" + i + "@b.example";
            Record record = new Record("customer", "C" + i, "crm", Map.of("email", email, "creditLimit", "100"));
            FieldChange change = new FieldChange("customer", "C" + i, "email", null, email, "crm", "crm");
            FieldChange limit = new FieldChange("customer", "C" + i, "creditLimit", "50", "100", "crm", "erp");
            rules.decide(record, List.of(change, limit));
            if (change.getDecision() == null) {
                throw new IllegalStateException("undecided");
            }
        }
    }

    static String generated(int count) {
        StringBuilder drl = new StringBuilder("package generated;\n\n");
        for (int i = 0; i < count; i++) {
            drl.append("rule \"Generated ").append(i).append("\"\nwhen\n")
                    .append("    $c : FieldChange(entity == \"customer\", field == \"f").append(i)
                    .append("\", newValue != null, newValue.toString().length() > ").append(i % 17).append(")\n")
                    .append("    Record(get(\"tier\") == \"t").append(i % 5).append("\")\n")
                    .append("then\n    $c.reject(\"rule ").append(i).append(" refuses \" + $c.getNewValue());\nend\n\n");
        }
        return drl.toString();
    }

    private static RuleSet compile(RuleSetCompiler compiler, List<DrlSource> drl) {
        var compiled = compiler.compile(List.of(), drl);
        if (compiled.ruleSet().isEmpty()) {
            throw new IllegalStateException(compiled.diagnostics().toString());
        }
        return compiled.ruleSet().get();
    }

    private static <T> Constructor<T> constructor(Class<T> type, Class<?>... parameters) {
        try {
            return type.getConstructor(parameters);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    interface Task {
        void run() throws Exception;
    }

    private static long time(Task task) throws Exception {
        long start = System.nanoTime();
        task.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long median(int n, Task task) throws Exception {
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = time(task);
        }
        Arrays.sort(times);
        return times[n / 2];
    }
}
