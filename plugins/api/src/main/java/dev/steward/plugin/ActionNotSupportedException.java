package dev.steward.plugin;

/**
 * The connector does not offer this action ({@code list}, {@code call}, a versioned write):
 * a limit of the connector or of its configuration, not a passing failure, so never retried.
 * Thrown by the {@link Connector} defaults and by connectors whose configuration lacks what the
 * action needs (an http entity without a {@code list} block); immutable.
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
