package dev.steward.api;

import java.time.Instant;

/**
 * One finished attempt to run an event.
 *
 * @param number  the event's attempt count when it ran: 1 for the first, continuing across replays
 * @param outcome {@code succeeded}, {@code invalid}, {@code failed} or {@code retry}
 */
public record AttemptRecord(int number, Instant startedAt, Instant finishedAt, String outcome, String error) {
}
