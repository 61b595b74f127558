package dev.steward.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one run changes in the store beside its event's outcome: values it learnt, writes it made,
 * echoes it recognised, holds it placed. Collected while the run goes and committed with the
 * outcome, in one transaction for a whole batch of runs ({@link Store#commit}). Not thread-safe:
 * one per run.
 */
public final class RunEffects {

    /** Values a system holds, as a run learnt them. */
    public record Remembered(String system, Map<String, String> fieldJson, String version) {}

    /** A write a run made: the system, the fields' JSON, the record's version after it (or null). */
    public record Written(String system, Map<String, String> fieldJson, String version, long at) {}

    /** The echo of the write {@code seq} (and of every earlier write to the field) came back. */
    public record Echo(String system, String field, long seq) {}

    /** A field held by the flip-flop breaker. */
    public record Held(String field, String reason, String history, long at) {}

    /** One conflict prevented in a field of the run's record. */
    public record Tally(String entity, String field, Conflict kind) {}

    private final RecordState state;
    private final String eventId;
    private final List<Remembered> remembered = new ArrayList<>();
    private final List<Written> written = new ArrayList<>();
    private final List<Echo> echoes = new ArrayList<>();
    private final List<Held> held = new ArrayList<>();
    private final List<Tally> tallies = new ArrayList<>();

    public RunEffects(RecordState state, String eventId) {
        this.state = state;
        this.eventId = eventId;
    }

    public RecordState state() {
        return state;
    }

    public String eventId() {
        return eventId;
    }

    /**
     * Records values a system holds, as the run learnt them. The map is kept as given, not copied:
     * the caller hands it over and changes it no more.
     */
    public void remember(String system, Map<String, String> fieldJson, String version) {
        if (!fieldJson.isEmpty()) {
            remembered.add(new Remembered(system, fieldJson, version));
        }
    }

    /**
     * Records a write; later checks in the same run see it in the field's history. The map is
     * kept as given, not copied: the caller hands it over and changes it no more.
     */
    public void written(String system, Map<String, String> fieldJson, String version, Instant at) {
        if (fieldJson.isEmpty()) {
            return;
        }
        written.add(new Written(system, fieldJson, version, at.toEpochMilli()));
    }

    /**
     * The values written to a field in {@code system} within the flip-flop window, oldest first:
     * the state's ({@link RecordState#writtenSince}), then this run's own writes.
     */
    public List<String> writtenSince(String system, String field) {
        List<String> before = state.writtenSince(system, field);
        List<String> all = null;
        for (Written write : written) {
            String json = write.system().equals(system) ? write.fieldJson().get(field) : null;
            if (json != null) {
                if (all == null) {
                    all = new ArrayList<>(before);
                }
                all.add(json);
            }
        }
        return all == null ? before : all;
    }

    /** Takes back the writes to {@code system}: a batch target refused them. */
    public void forget(String system) {
        written.removeIf(w -> w.system().equals(system));
    }

    public void echo(String system, String field, long seq) {
        echoes.add(new Echo(system, field, seq));
    }

    /** Holds a field, unless it is held already; later checks in the same run see the hold. */
    public void hold(String field, String reason, String history, Instant at) {
        if (state.hold(field).isPresent()) {
            return;
        }
        held.add(new Held(field, reason, history, at.toEpochMilli()));
        count(field, Conflict.HOLDS);
        state.putHold(new Hold(state.record().entity(), state.record().key(), field, at, reason, history));
    }

    /** Counts a conflict prevented in a field of the run's record ({@code GET /api/stats}). */
    public void count(String field, Conflict kind) {
        tallies.add(new Tally(state.record().entity(), field, kind));
    }

    /**
     * The conflicts to count when the run ends this way: its decisions only when it finishes the
     * event (a retried run decides again), its heals and holds always.
     */
    public List<Tally> counted(RunOutcome.Kind ending) {
        return ending == RunOutcome.Kind.FINISH ? List.copyOf(tallies)
                : tallies.stream().filter(t -> !t.kind().decision()).toList();
    }

    List<Remembered> remembered() {
        return remembered;
    }

    List<Written> writes() {
        return written;
    }

    List<Echo> echoes() {
        return echoes;
    }

    List<Held> held() {
        return held;
    }

    boolean isEmpty() {
        return remembered.isEmpty() && written.isEmpty() && echoes.isEmpty() && held.isEmpty() && tallies.isEmpty();
    }
}
