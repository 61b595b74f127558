package dev.steward.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How a batch ended. Counts cover the whole batch, including the runs it resumed.
 *
 * @param batchId     the batch's id (the same flow over the same input resumes the same batch)
 * @param resumedFrom records already done when this run started (0 for a fresh batch)
 * @param records     records done: written, unchanged or rejected
 * @param written     records written to at least one target
 * @param unchanged   records that needed no write (nothing new, or every field rejected by mastership)
 * @param rejected    records rejected: invalid input, invalid by the rules, or refused by a target
 * @param rejectsFile where the rejected records are, with reasons; empty when none was rejected
 * @param millis      how long this run took
 * @param report      for a dry run, what the batch would do; empty otherwise
 */
public record BatchSummary(String batchId, String flowId, String input, long resumedFrom, long records, long written,
                           long unchanged, long rejected, Optional<Path> rejectsFile, long millis,
                           Optional<FirstSyncReport> report) {
}
