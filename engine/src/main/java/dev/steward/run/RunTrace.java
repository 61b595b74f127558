package dev.steward.run;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What one run did, step by step and field by field; stored with the event and shown by
 * {@code GET /api/events/{id}}. Immutable.
 *
 * @param rulesVersion the content hash of the rules the run used ({@link LiveWorkspace.Lease#rulesVersion()}),
 *                     or null where the run path does not pass it yet
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunTrace(String flow, String source, String entity, String key, int attempt, String version,
                       List<FieldDecision> decisions, List<String> unchanged, List<StepTrace> steps,
                       List<Write> writes, Map<String, Integer> counts, String rulesVersion,
                       @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, Object> calls) {

    /**
     * A trace without call results.
     *
     * @param calls the results of the run's {@code call} steps by name: what later steps read
     *              as {@code ${steps.name...}}, and what a retry of the event reuses instead of
     *              calling again
     */
    public RunTrace(String flow, String source, String entity, String key, int attempt, String version,
                    List<FieldDecision> decisions, List<String> unchanged, List<StepTrace> steps,
                    List<Write> writes, Map<String, Integer> counts, String rulesVersion) {
        this(flow, source, entity, key, attempt, version, decisions, unchanged, steps, writes, counts, rulesVersion,
                Map.of());
    }

    /** A trace that does not name its rules version. */
    public RunTrace(String flow, String source, String entity, String key, int attempt, String version,
                    List<FieldDecision> decisions, List<String> unchanged, List<StepTrace> steps,
                    List<Write> writes, Map<String, Integer> counts) {
        this(flow, source, entity, key, attempt, version, decisions, unchanged, steps, writes, counts, null);
    }

    /** This trace naming the rules version the run used. */
    public RunTrace withRulesVersion(String rulesVersion) {
        return new RunTrace(flow, source, entity, key, attempt, version, decisions, unchanged, steps, writes, counts,
                rulesVersion, calls);
    }

    /** One changed field and what the rules said of it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldDecision(String field, Object oldValue, Object newValue, String decision, String reason,
                                String by) {
    }

    /**
     * One step and what came of it ({@code ok}, {@code skipped}, {@code failed}; {@code filtered}
     * for a filter that ended the run, {@code reused} for a call applied by an earlier attempt).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StepTrace(String step, String at, String result, String detail) {
    }

    /**
     * One write to a system: the native fields written ({@code written}, {@code healed} for a
     * master's value written back to a subscriber that changed it), or why not.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Write(String system, Map<String, Object> fields, WriteResult result, String error) {
    }

    /** What came of one write; its label is what traces and the API show. */
    public enum WriteResult {
        /** The accepted fields were written. */
        WRITTEN("written"),
        /** The master's value was written back to a subscriber that changed a field it does not own. */
        HEALED("healed"),
        /** A heal was due but the master's value is not known. */
        NOT_HEALED("not healed"),
        /** No accepted field goes to this system. */
        SKIPPED("skipped"),
        /** The field is held by the flip-flop breaker. */
        HELD("held"),
        /** A dry run: would be written. */
        DRY_RUN("dry-run"),
        /** A dry run: would be healed. */
        DRY_RUN_HEALED("dry-run healed"),
        /** The system's guards deferred the call; the run goes again later. */
        DEFERRED("deferred"),
        /** The system refused the write or could not be reached. */
        FAILED("failed");

        private final String label;

        WriteResult(String label) {
            this.label = label;
        }

        @com.fasterxml.jackson.annotation.JsonValue
        public String label() {
            return label;
        }

        /** Whether fields reached the system. */
        public boolean wrote() {
            return this == WRITTEN || this == HEALED;
        }
    }
}
