package dev.steward.plugin;

/**
 * The connector does not offer this action ({@code list}, {@code call}, a versioned write):
 * a limit of the connector or of its configuration, not a passing failure, so never retried.
 */
public class ActionNotSupportedException extends ConnectorException {

    private final String action;

    public ActionNotSupportedException(String message, String action) {
        super(message, false);
        this.action = action;
    }

    /** The action asked for: {@code list}, {@code call:NAME}, {@code versioned upsert}. */
    public String action() {
        return action;
    }
}
