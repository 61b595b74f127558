package dev.steward.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code steward batch} is asked to do: run the records of a file, or of a system's listing,
 * through a flow.
 *
 * @param flowId      the flow whose mapping, transforms, rules and sync step the records go through
 * @param input       a {@code .csv} (with a header row) or {@code .jsonl} file; or empty with {@code from}
 * @param from        the system whose records to list through its connector; or empty with {@code input}
 * @param dryRun      report what the batch would do (records matched by key in each system, duplicate
 *                    keys, mastership conflicts, invalid records) and write nothing
 * @param chunkSize   records per chunk: one bulk write per target and one store commit each
 * @param concurrency requests in flight at once to a target written one record at a time (http)
 * @param rejects     where rejected records go; empty for the default (next to the input file, or
 *                    {@code data/batch/} for a listing)
 * @param restart     start from the first record even if an earlier run of this batch stopped midway
 */
public record BatchRequest(String flowId, Optional<Path> input, Optional<String> from, boolean dryRun, int chunkSize,
                           int concurrency, Optional<Path> rejects, boolean restart) {

    public static final int DEFAULT_CHUNK = 1000;
    public static final int DEFAULT_CONCURRENCY = 4;

    public BatchRequest {
        Objects.requireNonNull(flowId, "flowId");
        input = Objects.requireNonNullElse(input, Optional.empty());
        from = Objects.requireNonNullElse(from, Optional.empty());
        rejects = Objects.requireNonNullElse(rejects, Optional.empty());
        if (input.isPresent() == from.isPresent()) {
            throw new IllegalArgumentException("name either an input file or a system to list, not both or neither");
        }
        if (chunkSize < 1 || concurrency < 1) {
            throw new IllegalArgumentException("chunk size and concurrency must be at least 1");
        }
    }
}
