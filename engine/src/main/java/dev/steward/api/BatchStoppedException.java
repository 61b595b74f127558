package dev.steward.api;

import dev.steward.StewardException;

/**
 * A batch stopped midway: a target or the source stayed unavailable, or refused what the batch
 * needs. Every chunk before it is committed with its checkpoint; the same batch run again goes on
 * after the last one.
 */
public final class BatchStoppedException extends StewardException {

    public BatchStoppedException(String message, Throwable cause) {
        super(message, cause);
    }
}
