package dev.steward.plugin;

/**
 * What Steward knows about one write. Immutable.
 *
 * @param idempotencyKey stable for one event and one target across retries, so a target that
 *                       honours it (the http connector sends {@code Idempotency-Key}) applies
 *                       the write at most once
 * @param eventId        the event being processed, for the connector's logs
 */
public record WriteOptions(String idempotencyKey, String eventId) {
}
