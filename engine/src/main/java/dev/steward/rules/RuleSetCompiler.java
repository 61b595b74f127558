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

    private static final String RESOURCES = "src/main/resources/";
    /** Each compilation is a KIE module of its own; KIE keeps modules by release id. */
    private static final AtomicLong MODULES = new AtomicLong();

    private final int maxFirings;
    private final Map<List<DrlSource>, CompletableFuture<DrlCompilation>> cache;

    public RuleSetCompiler() {
        this(DEFAULT_MAX_FIRINGS, DEFAULT_CACHE_SIZE);
    }

    /**
     * @param maxFirings how many rule firings one {@link RuleSet#decide} allows before it calls the
     *                   rules unsettled (a rule that keeps re-triggering itself)
     * @param cacheSize  how many compiled DRL sets to keep
     */
    public RuleSetCompiler(int maxFirings, int cacheSize) {
        if (maxFirings < 1 || cacheSize < 1) {
            throw new IllegalArgumentException("maxFirings and cacheSize must be positive");
        }
        this.maxFirings = maxFirings;
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
        return new CompiledRules(Optional.of(new RuleSet(tables, decisionTables, compiled, maxFirings)), diagnostics);
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

    private static DrlCompilation build(List<DrlSource> sources) {
        KieServices kie = KieServices.Factory.get();
        ReleaseId releaseId = kie.newReleaseId("dev.steward.rules", "rules-" + MODULES.incrementAndGet(), "1.0.0");
        KieFileSystem files = kie.newKieFileSystem();
        files.generateAndWritePomXML(releaseId);
        Map<String, DrlFile> written = new HashMap<>();
        for (DrlSource source : sources) {
            DrlPreamble preamble = DrlPreamble.of(source.text());
            String path = resourcePath(source.file());
            files.write(RESOURCES + path, preamble.text);
            written.put(path, new DrlFile(source, preamble));
        }
        ClassLoader classLoader = RuleSetCompiler.class.getClassLoader();
        KieBuilder builder = kie.newKieBuilder(files, classLoader).buildAll();
        List<Diagnostic> diagnostics = DrlDiagnostics.of(builder.getResults().getMessages(),
                path -> written.get(path.startsWith(RESOURCES) ? path.substring(RESOURCES.length()) : path));
        if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
            kie.getRepository().removeKieModule(releaseId);
            return new DrlCompilation(null, Map.of(), diagnostics);
        }
        KieBase kieBase = kie.newKieContainer(releaseId, classLoader).getKieBase();
        // The container holds the module; KIE's global repository need not keep it as well.
        kie.getRepository().removeKieModule(releaseId);
        return new DrlCompilation(kieBase, origins(kieBase, written.values()), diagnostics);
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
