package dev.steward.store;

import dev.steward.UnavailableException;

/** The event store cannot be reached or refused a statement; nothing was stored or changed. */
public final class StoreUnavailableException extends UnavailableException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
