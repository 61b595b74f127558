package dev.steward.store;

/**
 * The answer to {@link Store#accept}: the id to return to the sender.
 *
 * @param duplicate true when the delivery was already stored; {@code eventId} is then the first one's
 */
public record Intake(String eventId, boolean duplicate) {}
