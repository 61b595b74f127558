package dev.steward.api;

import java.util.List;

/**
 * The result of one audit: which systems and fields were compared over how many records, every
 * divergence found, and the repairs listed or made.
 *
 * @param id          the audit's id ({@code aud_...}), as {@code GET /api/audits/{id}} knows it
 * @param scope       {@code sample of 100} or {@code all}
 * @param records     how many records (keys) were compared
 * @param comparisons how many (record, field, subscriber) values were compared
 * @param fields      each compared field as {@code field: master -> subscriber}
 * @param skipped     mastered fields that could not be compared, with why
 * @param divergences the divergences, by key then field
 * @param repairs     empty unless the audit was asked to repair
 * @param applied     whether the repairs were written (not a dry run)
 * @param millis      how long the audit took
 * @param cpuMillis   the CPU time of the thread that ran it (reading the systems through their connectors,
 *                    comparing, looking up the history), which a busy machine does not inflate as it does
 *                    {@code millis}; -1 where the JVM cannot tell
 */
public record AuditReport(String id, String entity, String startedAt, String finishedAt, String scope, int records,
                          long comparisons, List<String> systems, List<String> fields, List<String> skipped,
                          List<Divergence> divergences, List<AuditRepair> repairs, boolean applied, long millis,
                          long cpuMillis) {

    public AuditReport {
        systems = List.copyOf(systems);
        fields = List.copyOf(fields);
        skipped = List.copyOf(skipped);
        divergences = List.copyOf(divergences);
        repairs = List.copyOf(repairs);
    }

    /** Whether every compared value agrees. */
    public boolean agrees() {
        return divergences.isEmpty();
    }
}
