package dev.steward.api;

/**
 * Told how a batch goes, after each chunk, on the batch's thread; must return quickly.
 */
@FunctionalInterface
public interface BatchProgress {

    BatchProgress NONE = (records, written, rejected, fraction) -> { };

    /**
     * @param records  records done so far, in this run and the runs it resumes
     * @param written  of them, records written to at least one target
     * @param rejected of them, records rejected
     * @param fraction how much of the input is done, 0 to 1; negative when unknown (a listing)
     */
    void update(long records, long written, long rejected, double fraction);

    /**
     * Told once, when the input is open and the first chunk is about to run.
     *
     * @param resumedFrom records done by the runs this one goes on from
     * @param fraction    how much of the input they are, or negative when unknown
     */
    default void begin(long resumedFrom, double fraction) {
    }

    /**
     * Asked after each chunk: true to stop there (Ctrl-C), with the chunk committed, so that the
     * next run goes on after it.
     */
    default boolean stopRequested() {
        return false;
    }
}
