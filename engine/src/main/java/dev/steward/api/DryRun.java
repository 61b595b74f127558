package dev.steward.api;

import dev.steward.run.RunTrace;

/**
 * What a payload would do in a flow, with nothing written or remembered.
 *
 * @param wouldEndAs the status the run would end with: {@code succeeded}, {@code invalid}, {@code failed}, ...
 * @param error      why it would not succeed, or null
 * @param trace      the decisions, unchanged fields and writes it would make
 */
public record DryRun(String wouldEndAs, String error, RunTrace trace) {
}
