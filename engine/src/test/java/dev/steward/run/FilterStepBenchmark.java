package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.load.WorkspaceLoader;
import dev.steward.model.Flow;
import dev.steward.model.Workspace;
import dev.steward.rules.RuleSetCompiler;
import dev.steward.store.EventStatus;
import dev.steward.store.RecordKey;
import dev.steward.store.RecordState;
import dev.steward.store.RunEffects;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@code filter} step costs per event, next to a flow with no steps, side by side in one
 * JVM in interleaved rounds: {@link FlowRunner#run} on a parsed payload of a deal (three mapped
 * fields), with the record's state in memory (no store, no connector call), as a worker runs it
 * after the batch read. Flows: no steps; a filter that lets the event through; the same filter
 * dropping it (the event ends {@code filtered}). Best of the rounds, wall-clock and CPU time of
 * the measuring thread. Not a test; from the repository root:
 *
 * <pre>
 * mvn -B -q -pl engine -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/engine.cp
 * cd engine && java -cp target/classes:target/test-classes:$(cat /tmp/engine.cp) \
 *   dev.steward.run.FilterStepBenchmark [warmupSeconds=10] [measureSeconds=5] [rounds=3]
 * </pre>
 */
public final class FilterStepBenchmark {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final String FLOW = """
            id: %s
            trigger: { webhook: { path: %s } }
            source: crm
            entity: deal
            key: id
            fields: { stage: stage, amount: amount, owner: owner.name }
            steps:
            %s
            """;

    public static void main(String[] args) throws IOException {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int measure = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path home = Files.createTempDirectory("filter-bench");
        Files.createDirectories(home.resolve("flows"));
        Files.writeString(home.resolve("steward.yaml"), """
                systems:
                  crm:
                    connector: http
                    baseUrl: http://127.0.0.1:1
                    entities: { deal: { path: "/deals/{key}", fields: { stage: stage } } }
                """);
        String filter = "  - filter: { when: stage \"closed-won\" and amount > 1000 and not (owner is empty) }";
        Files.writeString(home.resolve("flows/empty.yaml"), FLOW.formatted("empty", "empty", "  []"));
        Files.writeString(home.resolve("flows/filter.yaml"), FLOW.formatted("filter", "filter", filter));
        RuleSetCompiler compiler = new RuleSetCompiler();
        var factories = Connectors.discover(FilterStepBenchmark.class.getClassLoader());
        Workspace workspace = new WorkspaceLoader(factories, compiler, name -> null).load(home);
        if (!workspace.diagnostics().isEmpty()) {
            throw new IllegalStateException("the benchmark's workspace has problems: " + workspace.diagnostics());
        }
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        try (ActiveWorkspace active = ActiveWorkspace.activate(workspace, compiler, factories, Clock.systemUTC())) {
            FlowRunner runner = new FlowRunner(active, metrics, Clock.systemUTC(),
                    new SystemGuards(workspace.host().delivery(), workspace.systems().keySet(), Clock.systemUTC(), metrics));
            JsonNode won = Values.JSON.readTree("{\"id\":\"D-1\",\"stage\":\"closed-won\",\"amount\":5000,\"owner\":{\"name\":\"Ada\"}}");
            JsonNode open = Values.JSON.readTree("{\"id\":\"D-1\",\"stage\":\"open\",\"amount\":5000,\"owner\":{\"name\":\"Ada\"}}");
            Map<String, Case> cases = new LinkedHashMap<>();
            cases.put("no steps", new Case(workspace.flows().get("empty"), won, EventStatus.SUCCEEDED));
            cases.put("filter, passes", new Case(workspace.flows().get("filter"), won, EventStatus.SUCCEEDED));
            cases.put("filter, drops (filtered)", new Case(workspace.flows().get("filter"), open, EventStatus.FILTERED));

            System.out.printf("JDK %s, %d cores; one event = a deal with 3 mapped fields; %d s warm-up, %d rounds of %d s%n",
                    Runtime.version(), Runtime.getRuntime().availableProcessors(), warmup, rounds, measure);
            for (Case c : cases.values()) {
                loop(runner, c, warmup * 1_000_000_000L);
            }
            Map<String, List<double[]>> figures = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, Case> c : cases.entrySet()) {
                    figures.computeIfAbsent(c.getKey(), k -> new ArrayList<>()).add(loop(runner, c.getValue(), measure * 1_000_000_000L));
                }
            }
            System.out.printf("%-28s %14s %14s%n", "flow", "wall ns/event", "CPU ns/event");
            figures.forEach((name, results) -> System.out.printf("%-28s %14.0f %14.0f%n", name,
                    results.stream().mapToDouble(r -> r[0]).min().orElseThrow(),
                    results.stream().mapToDouble(r -> r[1]).min().orElseThrow()));
        }
    }

    private record Case(Flow flow, JsonNode payload, EventStatus expected) {
    }

    /** Runs the case's event for {@code nanos}; the wall and CPU nanoseconds per event. */
    private static double[] loop(FlowRunner runner, Case c, long nanos) {
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        long count = 0;
        while (System.nanoTime() - start < nanos) {
            for (int i = 0; i < 100; i++) {
                // A fresh state each time, as a run gets from the batch read: every field is a change.
                RunEffects effects = new RunEffects(new RecordState(new RecordKey("deal", "D-1")), "evt");
                RunResult result = runner.run(c.flow(), "evt", 1, c.payload(), effects, false);
                if (result.status() != c.expected()) {
                    throw new IllegalStateException(c.flow().id() + " ended " + result.status() + ": " + result.error());
                }
            }
            count += 100;
        }
        long wall = System.nanoTime() - start;
        long cpu = CPU.getCurrentThreadCpuTime() - cpuStart;
        return new double[] {(double) wall / count, (double) cpu / count};
    }
}
