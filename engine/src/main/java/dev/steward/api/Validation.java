package dev.steward.api;

import dev.steward.model.Diagnostic;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What checking drafts (and saving them, when asked and valid) came to.
 *
 * @param valid        true when no draft has an error and no flow that runs now would stop running
 * @param saved        true when the drafts were written and the running configuration swapped to them
 * @param diagnostics  the problems found in the drafts and in what they break, errors and warnings
 * @param before       the SHA-256 of each draft's file before the save (null for a new file)
 * @param rulesVersion the rules version the drafts make (see {@link RulesVersion}), live when saved
 */
public record Validation(boolean valid, boolean saved, List<Diagnostic> diagnostics, Map<String, String> before,
                         Optional<String> rulesVersion) {
}
