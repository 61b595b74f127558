package dev.steward.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Steward knows of one record when a run of it starts, read for a whole batch of runs at once
 * ({@link Store#recordStates}): every system's known values and Steward's recent writes there,
 * the held fields, and the values written to each field within the flip-flop window. A run reads
 * it instead of the store; what the run changes goes to its {@link RunEffects}, through which
 * the rest of the run sees it (a hold placed by one write, and the write's value in the field's
 * history, are seen by the next write's check).
 * Claims let only one run of a record go at a time, so nothing else changes the record meanwhile.
 * Not thread-safe: one per run.
 */
public final class RecordState {

    private final RecordKey record;
    private final Map<String, Map<String, KnownValue>> known = new HashMap<>();
    private final Map<String, Map<String, List<LedgerEntry>>> recent = new HashMap<>();
    private final Map<String, Map<String, List<String>>> history = new HashMap<>();
    private final Map<String, Hold> holds = new HashMap<>();

    public RecordState(RecordKey record) {
        this.record = record;
    }

    public RecordKey record() {
        return record;
    }

    /** What Steward last knew {@code system} holds in each field. */
    public Map<String, KnownValue> known(String system) {
        return known.getOrDefault(system, Map.of());
    }

    /** Steward's recent writes to each field in {@code system}, newest first. */
    public Map<String, List<LedgerEntry>> recentWrites(String system) {
        return recent.getOrDefault(system, Map.of());
    }

    /**
     * The values written to a field in {@code system} within the flip-flop window, oldest first, as
     * the store had them when the run began; {@link RunEffects#writtenSince} adds the run's own.
     */
    public List<String> writtenSince(String system, String field) {
        return history.getOrDefault(system, Map.of()).getOrDefault(field, List.of());
    }

    public Optional<Hold> hold(String field) {
        return Optional.ofNullable(holds.get(field));
    }

    void putKnown(String system, String field, KnownValue value) {
        known.computeIfAbsent(system, s -> new LinkedHashMap<>()).put(field, value);
    }

    void addRecent(String system, String field, LedgerEntry entry) {
        recent.computeIfAbsent(system, s -> new LinkedHashMap<>()).computeIfAbsent(field, f -> new ArrayList<>()).add(entry);
    }

    void addHistory(String system, String field, String valueJson) {
        history.computeIfAbsent(system, s -> new HashMap<>()).computeIfAbsent(field, f -> new ArrayList<>()).add(valueJson);
    }

    /** The window's history from the recent writes: per system and field, oldest first. */
    void historyFromRecent(long since) {
        recent.forEach((system, fields) -> fields.forEach((field, entries) -> {
            for (int i = entries.size() - 1; i >= 0; i--) {
                if (entries.get(i).writtenAt().toEpochMilli() >= since) {
                    addHistory(system, field, entries.get(i).valueJson());
                }
            }
        }));
    }

    void putHold(Hold hold) {
        holds.put(hold.field(), hold);
    }

    /** Whether Steward knew nothing of the record: no known values, no recent writes, no holds. */
    boolean blank() {
        return known.isEmpty() && recent.isEmpty() && holds.isEmpty();
    }

    boolean knows(String system, String field) {
        return known(system).containsKey(field);
    }
}
