package dev.steward.rules;

import dev.steward.model.Diagnostic;
import org.kie.api.KieBase;
import org.kie.api.definition.rule.Rule;

import java.util.List;
import java.util.Map;

/**
 * The DRL half of a rule set: a KieBase shared by every rule set compiled from the same texts,
 * and for each rule the file that declares it, so a decision can name both.
 *
 * @param kieBase the compiled rules, or null when there are no DRL files or they have errors
 * @param origins {@code package + '/' + rule name} to {@code rules/x.drl: rule "name"}
 * @param sessions the KieBase's sessions, reused by every rule set that shares it; null without a KieBase
 */
record DrlCompilation(KieBase kieBase, Map<String, String> origins, List<Diagnostic> diagnostics,
                      SessionPool sessions) {

    static final DrlCompilation NONE = new DrlCompilation(null, Map.of(), List.of());

    DrlCompilation {
        origins = Map.copyOf(origins);
        diagnostics = List.copyOf(diagnostics);
    }

    DrlCompilation(KieBase kieBase, Map<String, String> origins, List<Diagnostic> diagnostics) {
        this(kieBase, origins, diagnostics, kieBase == null ? null : new SessionPool(kieBase));
    }

    static String key(Rule rule) {
        return rule.getPackageName() + "/" + rule.getName();
    }

    /** How a decision names a rule: {@code rules/customer-validation.drl: rule "Email must contain @"}. */
    String describe(Rule rule) {
        return origins.getOrDefault(key(rule), "rule \"" + rule.getName() + "\"");
    }
}
