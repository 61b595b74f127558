package dev.steward.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.SourceLocation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One rule scenario from {@code rules/tests/*.yaml}: given a flow (or an entity, a source and rule
 * files), what Steward already knows of the record, and an incoming payload, the decision
 * expected for each field. Immutable.
 *
 * @param flow    the flow whose fields and rules step decide, if the file names one
 * @param entity  the entity, when no flow is named (then the payload holds canonical fields)
 * @param source  the system the payload comes from, when no flow is named
 * @param rules   the rule files, when no flow is named
 * @param known   canonical field to the value Steward last knew the source holds
 * @param expect  canonical field to what must be decided about it
 */
public record Scenario(String name, Optional<String> flow, String entity, String source, List<String> rules,
                       Map<String, Object> known, JsonNode payload, Map<String, Expected> expect,
                       SourceLocation location) {

    public Scenario {
        rules = List.copyOf(rules);
        known = Collections.unmodifiableMap(new LinkedHashMap<>(known));
        expect = Collections.unmodifiableMap(new LinkedHashMap<>(expect));
    }

    /**
     * What must be decided about one field: {@code accept}, {@code reject}, {@code invalid},
     * {@code suppress} or {@code unchanged} (no change to decide), and optionally the reason and
     * what decided ({@code rules/mastership.yaml:17}).
     */
    public record Expected(String decision, Optional<String> reason, Optional<String> by, SourceLocation location) {
    }
}
