package dev.steward;

/**
 * Root of Steward's own exceptions. Specific ones live in the package that throws them and are
 * named as sentences ({@code StoreUnavailableException}); the host maps them to JSON errors in
 * one place.
 */
public abstract class StewardException extends RuntimeException {

    protected StewardException(String message, Throwable cause) {
        super(message, cause);
    }

    protected StewardException(String message) {
        super(message);
    }
}
