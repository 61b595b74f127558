package dev.steward.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An audit as the store keeps it: {@code running} until it ends, then {@code done} with its
 * report (JSON, at most the first {@value #KEPT_DIVERGENCES} divergences; the count is complete)
 * or {@code failed} with the error.
 */
public record StoredAudit(String id, String entity, String status, String startedAt, String finishedAt,
                          Integer divergences, JsonNode report) {

    /** How many divergences a stored report keeps. */
    public static final int KEPT_DIVERGENCES = 1000;
}
