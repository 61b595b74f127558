package dev.steward.plugin;

import java.util.Map;

/**
 * A compiled user function that turns one record into another, such as the JavaScript
 * {@code function transform(record, ctx)} of a flow's {@code transform} step.
 *
 * <p>Lifecycle: made by {@link TransformFactory#compile} when a workspace loads, used for every
 * event of the flow, and closed when the workspace is replaced or the host stops; calls after
 * {@link #close()} fail. Thread safety: thread-safe; Steward calls one transform from many worker
 * threads at once, and each call runs isolated from the others (no state is promised to survive
 * from one call to the next).
 */
public interface Transform extends AutoCloseable {

    /** The name it was compiled under (a workspace path), for messages and traces. */
    String name();

    /**
     * Runs the function on one record.
     *
     * @param record  the record as JSON-like values: {@code Map<String, ?>}, {@code List},
     *                {@code String}, {@code Number}, {@code Boolean} and {@code null}
     * @param context read-only facts about the run, same kinds of values (flow, event id, source...)
     * @return the new record, a fresh mutable map of the same kinds of values; whole numbers come
     *         back as {@code Integer} or {@code Long}, others as {@code Double}
     * @throws ScriptFailedException when the call fails; the transform stays usable
     */
    Map<String, Object> apply(Map<String, Object> record, Map<String, Object> context);

    @Override
    void close();
}
