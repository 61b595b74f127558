package dev.steward.api;

import java.time.Instant;
import java.util.List;

/**
 * One version of the rules: the short hex SHA-256 over the {@code rules/} files (names and
 * contents, in name order), and since when it ran.
 *
 * @param liveSince when the engine started with it or a save made it live
 * @param files     the rules files it covers
 */
public record RulesVersion(String hash, Instant liveSince, List<String> files) {
}
