package dev.steward.rules;

/** What the rules say about one change. */
public enum Outcome {
    /** Written to the targets. */
    ACCEPT,
    /** Not from the master (or refused by a rule): logged and counted, not an error. */
    REJECT,
    /** Validation failed: the whole record is quarantined and nothing of it is written. */
    INVALID,
    /** An echo of Steward's own earlier write: nothing to do. */
    SUPPRESS;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
