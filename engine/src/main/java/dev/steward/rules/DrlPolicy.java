package dev.steward.rules;

import dev.steward.model.Diagnostic;
import org.drools.drl.ast.descr.AccumulateDescr;
import org.drools.drl.ast.descr.AttributeDescr;
import org.drools.drl.ast.descr.BaseDescr;
import org.drools.drl.ast.descr.CollectDescr;
import org.drools.drl.ast.descr.ConditionalElementDescr;
import org.drools.drl.ast.descr.PackageDescr;
import org.drools.drl.ast.descr.PatternDescr;
import org.drools.drl.ast.descr.RuleDescr;
import org.drools.drl.parser.DrlParser;
import org.drools.drl.parser.DroolsParserException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a DRL file may do unless {@code rules.trustedDrl} trusts it: use the fact model and a
 * short list of safe JDK types (see {@link CompiledCodeCheck}), and none of the DRL constructs
 * that carry arbitrary code of their own. This class is the first, friendly layer: it reads the
 * parsed file ({@code function}, {@code import function}, {@code import accumulate},
 * {@code global}, {@code declare}, {@code dialect "mvel"}, inline {@code accumulate} code) and
 * knows where each rule starts, so that the second, authoritative layer, the check of the
 * compiled bytecode, can report at the rule's line.
 */
final class DrlPolicy {

    private static final String FACT_MODEL = "FieldChange, Record, Decision and Outcome";

    /** Where a rule is declared. */
    record RuleAt(DrlFile file, int line, int column) {
    }

    private final DrlFile file;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final Map<String, RuleAt> rules = new LinkedHashMap<>();

    private DrlPolicy(DrlFile file) {
        this.file = file;
    }

    /**
     * Parses one file and checks its constructs; a file the parser rejects yields no
     * diagnostics here (the compiler reports its syntax errors) and no rules.
     *
     * @param check whether to check it (false: only find its rules, for a trusted file)
     */
    static DrlPolicy read(DrlFile file, boolean check) {
        DrlPolicy policy = new DrlPolicy(file);
        DrlParser parser = new DrlParser();
        PackageDescr pkg;
        try {
            pkg = parser.parse(false, file.preamble().text);
        } catch (DroolsParserException | RuntimeException e) {
            return policy;
        }
        if (pkg == null || parser.hasErrors()) {
            return policy;
        }
        for (RuleDescr rule : pkg.getRules()) {
            policy.rules.put(key(pkg.getName(), rule.getName()), new RuleAt(file, rule.getLine(), Math.max(rule.getColumn(), 0) + 1));
        }
        if (check) {
            policy.check(pkg);
        }
        return policy;
    }

    static String key(String pkg, String rule) {
        return pkg + "/" + rule;
    }

    /** Errors, each at its construct's line. */
    List<Diagnostic> diagnostics() {
        return List.copyOf(diagnostics);
    }

    /** The file's rules by {@link #key}. */
    Map<String, RuleAt> rules() {
        return rules;
    }

    private void check(PackageDescr pkg) {
        pkg.getFunctions().forEach(f -> refuse(f, "function '" + f.getName()
                + "' is not allowed: DRL may not define functions; put the logic in the rule"));
        pkg.getFunctionImports().forEach(i -> refuse(i, "import function " + i.getTarget()
                + " is not allowed: rules call only the fact model and safe JDK members"));
        pkg.getAccumulateImports().forEach(i -> refuse(i, "import accumulate " + i.getTarget()
                + " is not allowed: use the built-in accumulate functions (sum, count, min, max, average, collectList)"));
        pkg.getGlobals().forEach(g -> refuse(g, "global '" + g.getIdentifier() + "' is not allowed: Steward sets no globals"));
        pkg.getTypeDeclarations().forEach(t -> refuse(t, "declare " + t.getTypeName()
                + " is not allowed: rules use the fact model (" + FACT_MODEL + ")"));
        pkg.getEnumDeclarations().forEach(t -> refuse(t, "declare enum " + t.getTypeName()
                + " is not allowed: rules use the fact model (" + FACT_MODEL + ")"));
        pkg.getWindowDeclarations().forEach(w -> refuse(w, "declare window " + w.getName() + " is not allowed"));
        pkg.getEntryPointDeclarations().forEach(e -> refuse(e, "declare entry-point " + e.getEntryPointId() + " is not allowed"));
        dialect(pkg.getAttribute("dialect"), null);
        for (RuleDescr rule : pkg.getRules()) {
            dialect(rule.getAttributes().get("dialect"), rule);
            lhs(rule.getLhs(), rule);
        }
    }

    private void dialect(AttributeDescr dialect, RuleDescr rule) {
        if (dialect != null && !"java".equals(dialect.getValue())) {
            refuse(dialect.getLine() > 0 ? dialect : rule, (rule == null ? "" : "rule \"" + rule.getName() + "\": ")
                    + "dialect \"" + dialect.getValue() + "\" is not allowed: rules are written in Java's dialect");
        }
    }

    private void lhs(BaseDescr descr, RuleDescr rule) {
        if (descr == null) {
            return;
        }
        if (descr instanceof AccumulateDescr accumulate) {
            if (!accumulate.isExternalFunction() || accumulate.getInitCode() != null || accumulate.getActionCode() != null
                    || accumulate.getResultCode() != null || accumulate.getReverseCode() != null) {
                refuse(accumulate.getLine() > 0 ? accumulate : rule, "rule \"" + rule.getName()
                        + "\": accumulate with init/action/reverse/result code is not allowed;"
                        + " use the built-in accumulate functions (sum, count, min, max, average, collectList)");
            }
            lhs(accumulate.getInput(), rule);
            return;
        }
        if (descr instanceof CollectDescr collect) {
            lhs(collect.getInputPattern(), rule);
            return;
        }
        if (descr instanceof PatternDescr pattern) {
            lhs(pattern.getSource(), rule);
            pattern.getDescrs().forEach(d -> lhs(d, rule));
            return;
        }
        if (descr instanceof ConditionalElementDescr element) {
            element.getDescrs().forEach(d -> lhs((BaseDescr) d, rule));
        }
    }

    private void refuse(BaseDescr where, String message) {
        int line = Math.max(where.getLine(), 0);
        int column = where.getColumn() >= 0 && line > 0 ? file.preamble().column(line, where.getColumn() + 1) : 0;
        diagnostics.add(Diagnostic.error(file.source().file(), line, column, message));
    }
}
