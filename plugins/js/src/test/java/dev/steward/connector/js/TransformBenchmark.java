package dev.steward.connector.js;

import dev.steward.plugin.ScriptLimits;
import dev.steward.plugin.Transform;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Throughput of a JavaScript transform on a reused engine, and the cost of a cold context and of
 * a cold engine. Not a test; run from the repository root:
 *
 * <pre>
 * mvn -B -q install -pl plugins/js -am -DskipTests
 * mvn -B -q -pl plugins/js dependency:build-classpath -Dmdep.outputFile=/tmp/js.cp
 * java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
 *   -cp plugins/api/target/classes:plugins/js/target/classes:plugins/js/target/test-classes:$(cat /tmp/js.cp) \
 *   dev.steward.connector.js.TransformBenchmark [warmupSeconds=60] [measureSeconds=10] [threads=cores]
 * </pre>
 */
public final class TransformBenchmark {

    static final String SCRIPT = """
            function transform(record, ctx) {
              var out = {
                id: record.id,
                email: (record.email || '').trim().toLowerCase(),
                phone: (record.phone || '').replace(/[^0-9+]/g, ''),
                name: record.first_name + ' ' + record.last_name,
                creditLimit: Math.round(record.credit_limit * 100) / 100,
                country: record.address ? record.address.country.toUpperCase() : null,
                tags: (record.tags || []).filter(function (t) { return t !== 'internal'; }),
                source: ctx.source
              };
              return out;
            }
            """;

    /** The default limits with a long timeout: a first call on a busy machine may take seconds. */
    static final ScriptLimits LIMITS = ScriptLimits.DEFAULTS.withTimeout(java.time.Duration.ofMinutes(1));

    /** CPU time of the measuring thread: on a shared machine, what the transform itself costs. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        int measure = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        Map<String, Object> record = record();
        Map<String, Object> ctx = Map.of("source", "crm", "flow", "crm-customer", "eventId", "evt_1");
        System.out.printf("JDK %s, %d cores, GraalVM polyglot %s%n", Runtime.version(), Runtime.getRuntime().availableProcessors(),
                org.graalvm.polyglot.Engine.class.getPackage().getImplementationVersion());

        long t0 = System.nanoTime();
        JsEngine firstEngine = JsEngine.create();
        long t1 = System.nanoTime();
        System.out.println("JavaScript: " + firstEngine.runtime());
        Transform first = new JsTransformFactory(firstEngine).compile("bench.js", SCRIPT, LIMITS);
        first.apply(record, ctx);
        long t2 = System.nanoTime();
        System.out.printf("cold engine, first in the JVM: engine %.0f ms + compile and first call %.0f ms%n", ms(t1 - t0), ms(t2 - t1));
        first.close();
        firstEngine.close();

        double coldEngine = 0;
        for (int i = 0; i < 5; i++) {
            long s = System.nanoTime();
            try (JsEngine e = JsEngine.create();
                 Transform t = new JsTransformFactory(e).compile("bench.js", SCRIPT, LIMITS)) {
                t.apply(record, ctx);
            }
            coldEngine += ms(System.nanoTime() - s) / 5;
        }
        System.out.printf("cold engine, JVM warm (engine + context + parse + first call), mean of 5: %.1f ms%n", coldEngine);

        try (JsEngine engine = JsEngine.create()) {
            JsTransformFactory factory = new JsTransformFactory(engine);
            try (Transform t = factory.compile("bench.js", SCRIPT, LIMITS)) {
                System.out.println("result: " + t.apply(record, ctx));
                System.out.printf("warming up %d s on one thread...%n", warmup);
                run(t, record, ctx, warmup);
                long cpuStart = CPU.getCurrentThreadCpuTime();
                long count = run(t, record, ctx, measure);
                double cpuMicros = (CPU.getCurrentThreadCpuTime() - cpuStart) / 1e3 / count;
                double perSecond = count / (double) measure;
                System.out.printf("one thread, reused engine and context: %.0f records/s (%.1f µs/record; %.1f µs CPU/record)%n",
                        perSecond, 1e6 / perSecond, cpuMicros);
                double all = parallel(t, record, ctx, measure, threads);
                System.out.printf("%d threads, one transform (a context per thread): %.0f records/s%n", threads, all);
            }
            double cold = 0;
            double coldCpu = 0;
            int n = 20;
            for (int i = 0; i < n; i++) {
                long s = System.nanoTime();
                long c = CPU.getCurrentThreadCpuTime();
                try (Transform t = factory.compile("bench.js", SCRIPT, LIMITS)) {
                    t.apply(record, ctx);
                }
                cold += ms(System.nanoTime() - s) / n;
                coldCpu += ms(CPU.getCurrentThreadCpuTime() - c) / n;
            }
            System.out.printf("cold context on a warm engine (context + run script + first call), mean of %d: %.2f ms"
                    + " (%.2f ms CPU)%n", n, cold, coldCpu);
        }
    }

    private static long run(Transform t, Map<String, Object> record, Map<String, Object> ctx, int seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long count = 0;
        while (System.nanoTime() < end) {
            for (int i = 0; i < 100; i++) {
                t.apply(record, ctx);
            }
            count += 100;
        }
        return count;
    }

    private static double parallel(Transform t, Map<String, Object> record, Map<String, Object> ctx, int seconds, int threads)
            throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Long>> counts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                counts.add(pool.submit(() -> run(t, record, ctx, seconds)));
            }
            long total = 0;
            for (Future<Long> each : counts) {
                total += each.get();
            }
            return total / (double) seconds;
        }
    }

    static Map<String, Object> record() {
        Map<String, Object> address = new LinkedHashMap<>();
        address.put("street", "12 Analytical Row");
        address.put("city", "London");
        address.put("country", "gb");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", "C-1001");
        record.put("email", "  Ada@Lovelace.Example ");
        record.put("phone", "+44 (20) 7946-0001");
        record.put("first_name", "Ada");
        record.put("last_name", "Lovelace");
        record.put("credit_limit", 5000.456);
        record.put("address", address);
        record.put("tags", List.of("vip", "internal", "engine"));
        record.put("updated_at", "2025-11-02T10:15:00Z");
        return record;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
