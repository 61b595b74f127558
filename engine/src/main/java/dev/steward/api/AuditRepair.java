package dev.steward.api;

import java.util.Map;

/**
 * What an audit's repair writes to one record: the master's values, as an event of the flow that
 * syncs them, so the run writes them like any other (rate limits, idempotency key, ledger, trace).
 *
 * @param fields  canonical field to the master's value, as the event carries them
 * @param targets the subscribers that differ
 * @param eventId the repair's event, once applied; null in a dry run or when it cannot be made
 * @param status  {@code dry-run}, {@code pending}, the event's final status ({@code succeeded},
 *                {@code failed}...), or {@code not repairable}
 * @param note    why it cannot be repaired, or the run's error; null otherwise
 */
public record AuditRepair(String key, String master, String flow, Map<String, Object> fields,
                          java.util.List<String> targets, String eventId, String status, String note) {

    public AuditRepair {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
        targets = java.util.List.copyOf(targets);
    }

    public AuditRepair withOutcome(String eventId, String status, String note) {
        return new AuditRepair(key, master, flow, fields, targets, eventId, status, note);
    }
}
