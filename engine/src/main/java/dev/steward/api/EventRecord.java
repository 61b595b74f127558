package dev.steward.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One event as the API shows it.
 *
 * @param status   {@code pending}, {@code running}, {@code succeeded}, {@code failed}, {@code invalid}, ...
 * @param system   for a dead letter, the system its failure came from, or null
 * @param cause    for a dead letter, its failure in a few normalised words, or null
 * @param payload  the payload (as replayed, when it was edited); null in lists
 * @param trace    the last run's trace, or null (always null in lists)
 */
public record EventRecord(String id, String flowId, String entity, String key, String status, int attempts,
                          String deliveryId, Instant receivedAt, Instant finishedAt, String error, String system,
                          String cause, JsonNode payload, JsonNode trace) {
}
