package dev.steward.api;

/**
 * The answer to {@link dev.steward.Engine#receive}: the id to return to the sender.
 *
 * @param duplicate true when the delivery was already stored; {@code eventId} is then the first one's
 */
public record Received(String eventId, boolean duplicate) {
}
