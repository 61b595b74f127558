package dev.steward.store;

/**
 * A kind of conflict Steward prevented, as {@code GET /api/stats} and {@code /metrics} count them
 * per entity and field. Rejections, quarantines and echoes are decisions, counted once per event
 * (by the run that finishes it); heals and holds are acts, counted by every run that makes one.
 */
public enum Conflict {
    /** A change the rules rejected (a subscriber changing a field it does not own, or a rule). */
    REJECTED("rejected", true),
    /** A field whose change was invalid, which quarantined its record's event. */
    QUARANTINED("quarantined", true),
    /** The master's value written back to a subscriber that changed the field. */
    HEALS("heals", false),
    /** An echo of Steward's own write, recognised and not synced again. */
    ECHOES("echoes", true),
    /** A field the flip-flop breaker stopped writing. */
    HOLDS("holds", false);

    private final String label;
    private final boolean decision;

    Conflict(String label, boolean decision) {
        this.label = label;
        this.decision = decision;
    }

    /** The name the API and the metrics' {@code kind} tag use. */
    public String label() {
        return label;
    }

    /** Whether it is counted once per event, by its final run, rather than by every run. */
    public boolean decision() {
        return decision;
    }

    /** The kind with this label. */
    public static Conflict of(String label) {
        for (Conflict kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("no conflict kind '" + label + "'");
    }
}
