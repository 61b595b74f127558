package dev.steward.api;

/** What {@link dev.steward.Engine#replay} did with one event. */
public enum ReplayOutcome {
    /** The dead letter is pending again; its attempts continue. */
    REPLAYED,
    /** There is no such event. */
    NOT_FOUND,
    /** The event succeeded; replaying it would apply it twice, so nothing changed. */
    ALREADY_SUCCEEDED,
    /** The event is pending or running already; nothing changed. */
    STILL_OPEN
}
