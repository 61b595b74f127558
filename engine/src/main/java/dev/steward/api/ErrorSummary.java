package dev.steward.api;

import java.time.Instant;
import java.util.List;

/**
 * The dead letters and quarantined events grouped by kind of failure.
 *
 * @param events    how many events were looked at
 * @param truncated true when there were more than could be looked at
 */
public record ErrorSummary(List<Group> groups, int events, boolean truncated) {

    /**
     * One kind of failure.
     *
     * @param status    {@code failed} (dead letters) or {@code invalid} (quarantined)
     * @param samples   the newest events of the group
     * @param lastError the newest event's error as it was, before normalising
     */
    public record Group(String flow, String system, String status, String cause, long count, Instant firstSeen,
                        Instant lastSeen, List<String> samples, String lastError) {
    }
}
