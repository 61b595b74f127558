package dev.steward.plugin;

/**
 * The record changed since Steward read it: the write carried an
 * {@link RecordWrite#expectedVersion() expected version} and the system holds another (an HTTP
 * {@code 412 Precondition Failed}). Not retryable as it is: the caller re-reads the record,
 * decides again from what it holds now, and writes with the new version. Thrown by
 * {@link Connector#upsert(EntityConfig, RecordWrite)} and {@link Connector#upsertAll}; immutable.
 */
public class VersionConflictException extends ConnectorException {

    private final String key;

    public VersionConflictException(String message, String key) {
        super(message, false);
        this.key = key;
    }

    /** The key of the record that changed. */
    public String key() {
        return key;
    }
}
