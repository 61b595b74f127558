package dev.steward.plugin;

/** The system could not be reached or answered with a transient error (timeout, 5xx, 408). */
public class SystemUnavailableException extends ConnectorException {

    public SystemUnavailableException(String message, Throwable cause) {
        super(message, true, cause);
    }

    public SystemUnavailableException(String message) {
        this(message, null);
    }
}
