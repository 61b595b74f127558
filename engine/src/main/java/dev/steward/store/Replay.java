package dev.steward.store;

/** What {@link Store#replay} did with one event. */
public enum Replay {
    /** The dead letter is PENDING again; its attempts continue. */
    REPLAYED,
    /** There is no such event. */
    NOT_FOUND,
    /** The event succeeded; replaying it would apply it twice, so nothing changed. */
    ALREADY_SUCCEEDED,
    /** The event is pending or running already; nothing changed. */
    STILL_OPEN
}
