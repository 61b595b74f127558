package dev.steward.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * A field Steward stopped writing because its value kept reversing, until someone releases it.
 *
 * @param history the values written in the window that tripped the breaker
 */
public record HoldRecord(String entity, String key, String field, Instant since, String reason, JsonNode history) {
}
