package dev.steward.store;

import dev.steward.StewardException;

/** The event store cannot be reached or refused a statement; nothing was stored or changed. */
public final class StoreUnavailableException extends StewardException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
