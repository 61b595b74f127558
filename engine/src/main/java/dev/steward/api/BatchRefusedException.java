package dev.steward.api;

import dev.steward.StewardException;

/** A batch cannot run as asked (no such flow, an unreadable input, a malformed file); nothing was written. */
public final class BatchRefusedException extends StewardException {

    public BatchRefusedException(String message) {
        super(message);
    }

    public BatchRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
