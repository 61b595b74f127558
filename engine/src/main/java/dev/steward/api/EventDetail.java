package dev.steward.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/**
 * An event with everything known of it: its payload and trace, the payload it was received with
 * when a replay edited it, and every attempt.
 */
public record EventDetail(EventRecord event, Optional<JsonNode> originalPayload, List<AttemptRecord> attempts) {
}
