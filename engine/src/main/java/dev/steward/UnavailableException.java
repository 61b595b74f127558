package dev.steward;

/**
 * Something Steward needs cannot be reached now (its store); nothing was stored or changed, and
 * the same request may succeed later. The host answers 503 with {@code Retry-After}.
 */
public abstract class UnavailableException extends StewardException {

    protected UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
