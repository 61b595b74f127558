package dev.steward.store;

/** Where an event is in its life. PENDING and RUNNING are open; the others are final. */
public enum EventStatus {
    /** Waiting to be claimed, possibly not before its next attempt time. */
    PENDING,
    /** Claimed by a worker whose lease has not been released. */
    RUNNING,
    /** Processed. */
    SUCCEEDED,
    /** Quarantined by validation: nothing of the record was written. */
    INVALID,
    /** Dead letter: a permanent error or retries exhausted. */
    FAILED,
    /** A flow's filter step ended it: not an error; the rest of the flow did not run. */
    FILTERED;

    public boolean isFinal() {
        return this != PENDING && this != RUNNING;
    }
}
