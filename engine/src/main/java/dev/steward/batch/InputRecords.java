package dev.steward.batch;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * The records of a batch's input, one at a time, so that memory does not grow with the input.
 * Not thread-safe: the batch's thread reads it.
 */
interface InputRecords extends AutoCloseable {

    /**
     * One input record: its position (1, 2, ... in the input), where it is for people
     * ({@code customers.csv:12}), and its payload, or why it is not one. A payload may hold only
     * what the flow reads ({@link CsvRecords} leaves the other columns out); {@code whole} then
     * makes the record as the input has it, for the rejects file.
     */
    record InputRecord(long position, String at, JsonNode payload, String problem,
                       java.util.function.Supplier<JsonNode> whole) {

        InputRecord(long position, String at, JsonNode payload, String problem) {
            this(position, at, payload, problem, null);
        }

        /** The record with every value the input gives, not only those the flow reads. */
        JsonNode wholePayload() {
            return whole == null ? payload : whole.get();
        }
    }

    /** The next record, or null at the end. */
    InputRecord next() throws IOException;

    /** Whether a checkpoint may be taken after the last record returned (a listing: at a page's end). */
    default boolean boundary() {
        return true;
    }

    /** Where to go on after the last record returned, when the input is a listing; else null. */
    default String cursor() {
        return null;
    }

    /** How much of the input has been read, 0 to 1, or negative when unknown. */
    double fraction();

    @Override
    void close() throws IOException;
}
