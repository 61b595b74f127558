package dev.steward.api;

import java.util.List;
import java.util.Map;

/**
 * What a batch would do, from {@code steward batch --dry-run}; nothing was written.
 *
 * @param records    records read
 * @param matched    per system holding the entity, how many of the records it has (read by key)
 * @param missing    per such system, how many it does not have
 * @param wouldWrite per target, how many records would be written
 * @param duplicateKeys records whose key came earlier in the input, with a few examples
 * @param conflicts  mastered fields where a subscriber holds another value than the master, with a few
 * @param invalid    records that would be rejected, with a few examples and their reasons
 */
public record FirstSyncReport(long records, Map<String, Long> matched, Map<String, Long> missing,
                              Map<String, Long> wouldWrite, long duplicateKeys, List<String> duplicateExamples,
                              long conflicts, List<Conflict> conflictExamples, long invalid, List<Invalid> invalidExamples) {

    /** One mastered field on which a subscriber disagrees with its master. */
    public record Conflict(String key, String field, String master, Object masterValue, String subscriber,
                           Object subscriberValue) {
    }

    /** One record that would be rejected. */
    public record Invalid(String at, String key, String reason) {
    }
}
