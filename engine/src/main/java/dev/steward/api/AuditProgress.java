package dev.steward.api;

/**
 * Where a long audit says how far it got: a terminal's progress bar, a log. Called from the
 * thread that runs the audit, often; must return at once.
 */
@FunctionalInterface
public interface AuditProgress {

    /** Nothing is shown. */
    AuditProgress NONE = (phase, done, total) -> { };

    /**
     * @param phase what is being done ({@code list crm}, {@code compare})
     * @param done  records done in this phase
     * @param total records this phase will take, or -1 while unknown
     */
    void step(String phase, long done, long total);
}
