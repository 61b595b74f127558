package dev.steward.api;

import java.util.Objects;

/**
 * What to audit ({@code steward audit}, {@code POST /api/audits}): one entity, a random sample
 * of its records or all of them, and whether to repair what differs.
 *
 * @param sample how many records to compare when not {@code all}; at least 1
 * @param all    every record of every system that holds the entity
 * @param repair list the master's values each subscriber needs
 * @param apply  with {@code repair}, write them: one event per record on the master's flow,
 *               run by the engine like any other; without, a dry run
 */
public record AuditRequest(String entity, int sample, boolean all, boolean repair, boolean apply) {

    /** The sample size when none is given. */
    public static final int DEFAULT_SAMPLE = 100;

    public AuditRequest {
        Objects.requireNonNull(entity, "entity");
        if (entity.isBlank()) {
            throw new IllegalArgumentException("name the entity to audit");
        }
        if (!all && sample < 1) {
            throw new IllegalArgumentException("the sample must be at least 1 record, not " + sample);
        }
        if (apply && !repair) {
            throw new IllegalArgumentException("apply goes with repair");
        }
    }
}
