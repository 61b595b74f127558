package dev.steward.run;

import java.util.Map;

/**
 * One record as a system holds it, read through the system's connector.
 *
 * @param fields the mapped fields under canonical names
 * @param nativeFields the same under the system's own names
 * @param known  what Steward last knew this system holds, from its own webhooks
 * @param lastWritten what Steward last wrote to this system, per field (the sync ledger)
 */
public record RecordView(String system, String entity, String key, boolean exists, Map<String, Object> fields,
                         Map<String, Object> nativeFields, Map<String, Object> known, Map<String, Object> lastWritten) {
}
