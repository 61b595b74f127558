package dev.steward.rules;

import dev.steward.model.DecisionTable;
import dev.steward.model.Diagnostic;
import dev.steward.model.DrlSource;
import dev.steward.model.MastershipTable;
import org.kie.api.KieBase;
import org.kie.api.KieServices;
import org.kie.api.builder.KieBuilder;
import org.kie.api.builder.KieFileSystem;
import org.kie.api.builder.ReleaseId;
import org.kie.api.definition.KiePackage;
import org.kie.api.definition.rule.Rule;
import org.drools.model.codegen.ExecutableModelProject;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Compiles mastership tables and DRL files into a {@link RuleSet}, or into diagnostics that say
 * where each file is wrong ({@code rules/x.drl:12:8}).
 *
 * <p>DRL files need not import the fact model ({@link FieldChange}, {@link Record},
 * {@link Decision}, {@link Outcome}): the compiler adds the imports without moving a line.
 *
 * <p>DRL is compiled by Drools' executable model, and a file that is not
 * {@linkplain DrlSource#trusted() trusted} must pass the DRL policy: {@link DrlPolicy} on the
 * parsed file, then {@link CompiledCodeCheck} on every class compiled from it; a refusal is an
 * error at the rule's line. With a cache directory, compiled modules are also kept on disk by
 * the SHA-256 of their inputs ({@link CompiledModule#key}) and checked again when loaded.
 * Compiled KieBases are cached by the exact file names and texts, so flows that list the same
 * files share one, and compiling unchanged files again costs a map lookup. The cache keeps the
 * most recently used {@code cacheSize} compilations, failed ones included.
 *
 * <p>Thread-safe: one compiler serves the whole host. Two threads compiling the same new texts
 * at once compile them once.
 */
public final class RuleSetCompiler {

    public static final int DEFAULT_MAX_FIRINGS = 10_000;
    public static final int DEFAULT_CACHE_SIZE = 64;
    /** How long one record's rules may fire before the record is quarantined. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(2);

    private static final String RESOURCES = "src/main/resources/";
    /** Each compilation is a KIE module of its own; KIE keeps modules by release id. */
    private static final AtomicLong MODULES = new AtomicLong();

    private static final ClassLoader CLASS_LOADER = RuleSetCompiler.class.getClassLoader();

    private final int maxFirings;
    private final Duration budget;
    private final Map<List<DrlSource>, CompletableFuture<DrlCompilation>> cache;
    private final CompiledModuleCache disk;

    /** A compiler with the default limits that keeps compiled DRL in {@code cacheDir} (a workspace's {@code data/cache/drl}). */
    public static RuleSetCompiler cachedUnder(java.nio.file.Path cacheDir) {
        return new RuleSetCompiler(DEFAULT_MAX_FIRINGS, DEFAULT_CACHE_SIZE, DEFAULT_BUDGET, cacheDir);
    }

    public RuleSetCompiler() {
        this(DEFAULT_MAX_FIRINGS, DEFAULT_CACHE_SIZE);
    }

    public RuleSetCompiler(int maxFirings, int cacheSize) {
        this(maxFirings, cacheSize, DEFAULT_BUDGET, null);
    }

    /**
     * @param maxFirings how many rule firings one {@link RuleSet#decide} allows before it calls the
     *                   rules unsettled (a rule that keeps re-triggering itself)
     * @param cacheSize  how many compiled DRL sets to keep in memory
     * @param budget     how long one {@link RuleSet#decide} may fire rules before it is halted and
     *                   the record quarantined
     * @param cacheDir   where compiled DRL is kept between starts ({@code data/cache/drl}), or null
     *                   for none
     */
    public RuleSetCompiler(int maxFirings, int cacheSize, Duration budget, Path cacheDir) {
        if (maxFirings < 1 || cacheSize < 1 || budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("maxFirings, cacheSize and budget must be positive");
        }
        this.maxFirings = maxFirings;
        this.budget = budget;
        this.disk = cacheDir == null ? null : new CompiledModuleCache(cacheDir);
        this.cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<List<DrlSource>, CompletableFuture<DrlCompilation>> eldest) {
                return size() > cacheSize;
            }
        };
    }

    /**
     * Compiles the tables and DRL files a flow's {@code rules} step lists. The rule set is empty
     * when any diagnostic is an error: two masters for one field, or a DRL file that does not
     * compile. Checks that need the workspace's systems are {@link MastershipCheck#check}'s.
     */
    public CompiledRules compile(List<MastershipTable> tables, List<DrlSource> drl) {
        return compile(tables, List.of(), drl);
    }

    /**
     * As {@link #compile(List, List)}, with decision tables, already parsed and verified when
     * they loaded ({@link DecisionTableCheck}); they decide after mastership and before DRL.
     */
    public CompiledRules compile(List<MastershipTable> tables, List<DecisionTable> decisionTables, List<DrlSource> drl) {
        List<Diagnostic> diagnostics = new ArrayList<>(MastershipCheck.conflicts(tables));
        DrlCompilation compiled = drl.isEmpty() ? DrlCompilation.NONE : compiled(canonical(drl));
        diagnostics.addAll(compiled.diagnostics());
        if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
            return new CompiledRules(Optional.empty(), diagnostics);
        }
        return new CompiledRules(Optional.of(new RuleSet(tables, decisionTables, compiled, maxFirings, budget)), diagnostics);
    }

    /** The same files in any order, or listed twice, are the same rule set. */
    private static List<DrlSource> canonical(List<DrlSource> drl) {
        return drl.stream().distinct().sorted(Comparator.comparing(DrlSource::file)).toList();
    }

    private DrlCompilation compiled(List<DrlSource> sources) {
        CompletableFuture<DrlCompilation> future;
        boolean mine = false;
        synchronized (cache) {
            future = cache.get(sources);
            if (future == null) {
                future = new CompletableFuture<>();
                cache.put(sources, future);
                mine = true;
            }
        }
        if (mine) {
            try {
                future.complete(build(sources));
            } catch (RuntimeException e) {
                synchronized (cache) {
                    cache.remove(sources, future);
                }
                future.completeExceptionally(e);
            }
        }
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    private DrlCompilation build(List<DrlSource> sources) {
        Map<String, DrlFile> written = new LinkedHashMap<>();
        Map<String, DrlPolicy.RuleAt> rules = new HashMap<>();
        List<Diagnostic> refused = new ArrayList<>();
        for (DrlSource source : sources) {
            DrlFile file = new DrlFile(source, DrlPreamble.of(source.text()));
            written.put(resourcePath(source.file()), file);
            DrlPolicy policy = DrlPolicy.read(file, !source.trusted());
            refused.addAll(policy.diagnostics());
            rules.putAll(policy.rules());
        }
        if (!refused.isEmpty()) {
            return new DrlCompilation(null, Map.of(), refused);
        }
        boolean check = sources.stream().anyMatch(source -> !source.trusted());
        String key = CompiledModule.key(sources);
        KieServices kie = KieServices.Factory.get();
        ReleaseId releaseId = kie.newReleaseId("dev.steward.rules", "rules-" + key.substring(0, 16)
                + "-" + MODULES.incrementAndGet(), "1.0.0");
        Optional<CompiledModule> cached = disk == null ? Optional.empty() : disk.load(key);
        List<Diagnostic> diagnostics = new ArrayList<>();
        CompiledModule module;
        if (cached.isPresent()) {
            module = cached.get();
        } else {
            KieFileSystem files = kie.newKieFileSystem();
            files.generateAndWritePomXML(releaseId);
            // Written, not defaulted, so that the module's jar is a complete KIE module for the cache.
            files.writeKModuleXML(kie.newKieModuleModel().toXML());
            written.forEach((path, file) -> files.write(RESOURCES + path, file.preamble().text));
            KieBuilder builder = kie.newKieBuilder(files, CLASS_LOADER).buildAll(ExecutableModelProject.class);
            diagnostics.addAll(DrlDiagnostics.of(builder.getResults().getMessages(),
                    path -> written.get(path.startsWith(RESOURCES) ? path.substring(RESOURCES.length()) : path),
                    written.values()));
            if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
                kie.getRepository().removeKieModule(releaseId);
                return new DrlCompilation(null, Map.of(), diagnostics);
            }
            module = CompiledModule.of(builder.getKieModule());
            kie.getRepository().removeKieModule(releaseId);
        }
        if (check) {
            // Checked on every load, from the cache too: the policy, not the cache, is what is trusted.
            diagnostics.addAll(refusals(module, rules, sources));
            if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
                return new DrlCompilation(null, Map.of(), diagnostics);
            }
        }
        if (disk != null && cached.isEmpty()) {
            disk.store(key, module);
        }
        KieBase kieBase = module.kieBase(CLASS_LOADER);
        return new DrlCompilation(kieBase, origins(kieBase, written.values()), diagnostics);
    }

    /** The bytecode policy's refusals, each at the line of the rule whose code it is. */
    private static List<Diagnostic> refusals(CompiledModule module, Map<String, DrlPolicy.RuleAt> rules,
                                             List<DrlSource> sources) {
        List<Diagnostic> diagnostics = new ArrayList<>();
        DrlSource first = sources.stream().filter(source -> !source.trusted()).findFirst().orElseThrow();
        for (CompiledCodeCheck.Refusal refusal : CompiledCodeCheck.check(module.classes(), module.generated())) {
            DrlPolicy.RuleAt at = refusal.rule() == null ? null : rules.get(DrlPolicy.key(refusal.pkg(), refusal.rule()));
            if (at != null && at.file().source().trusted()) {
                continue;
            }
            String what = refusal.member().equals("a loop")
                    ? "has a loop (while, for, do), which rules may not use"
                    : "uses " + refusal.member() + ", which rules may not use";
            String message = (refusal.rule() == null ? "this file (" + refusal.where() + ") " : "rule \"" + refusal.rule() + "\" ") + what
                    + " (DRL policy; see rules.trustedDrl)";
            diagnostics.add(at == null ? Diagnostic.error(first.file(), 1, 1, message)
                    : Diagnostic.error(at.file().source().file(), at.line(), at.column(), message));
        }
        return diagnostics;
    }

    /** KIE tells a resource's type by its extension. */
    private static String resourcePath(String file) {
        String path = file.replace('\\', '/').replaceFirst("^/+", "");
        return path.endsWith(".drl") ? path : path + ".drl";
    }

    /** Which file declares each rule, found by its declaration since KIE's public API does not say. */
    private static Map<String, String> origins(KieBase kieBase, Collection<DrlFile> files) {
        Map<String, String> origins = new HashMap<>();
        for (KiePackage kiePackage : kieBase.getKiePackages()) {
            for (Rule rule : kiePackage.getRules()) {
                Pattern declaration = Pattern.compile("(?m)^\\s*rule\\s+(\"" + Pattern.quote(rule.getName())
                        + "\"|'" + Pattern.quote(rule.getName()) + "'|" + Pattern.quote(rule.getName()) + "(?=\\s))");
                List<DrlFile> declaring = files.stream()
                        .filter(file -> declaration.matcher(file.source().text()).find()).toList();
                if (declaring.size() > 1) {
                    declaring = declaring.stream()
                            .filter(file -> rule.getPackageName().equals(file.preamble().packageName)).toList();
                }
                if (!declaring.isEmpty()) {
                    origins.put(DrlCompilation.key(rule),
                            declaring.getFirst().source().file() + ": rule \"" + rule.getName() + "\"");
                }
            }
        }
        return origins;
    }

}
