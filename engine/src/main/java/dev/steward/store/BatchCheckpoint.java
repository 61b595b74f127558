package dev.steward.store;

/**
 * How far one batch run of a flow over one input has come ({@code batches}). Immutable.
 *
 * @param id           the batch's id: the same flow over the same input has the same id
 * @param done         input records behind the checkpoint: written, unchanged or rejected
 * @param nextCursor   for a system's listing, the cursor of the page after them; else null
 * @param inDoubt      records after {@code done} whose writes may have reached the targets when
 *                     the run stopped; 0 when none
 * @param written      records written so far
 * @param rejected     records rejected so far
 * @param rejectsBytes the length of the rejects file that goes with {@code done}
 * @param finished     whether the batch ran to its end
 */
public record BatchCheckpoint(String id, String flowId, String input, long done, String nextCursor, long inDoubt,
                              long written, long rejected, long rejectsBytes, boolean finished) {

    /** This checkpoint moved past {@code records} more, of which some were written or rejected. */
    public BatchCheckpoint advance(long records, String cursor, long wrote, long rejects, long rejectsLength) {
        return new BatchCheckpoint(id, flowId, input, done + records, cursor, 0, written + wrote, rejected + rejects,
                rejectsLength, false);
    }
}
