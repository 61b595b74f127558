package dev.steward.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.api.Divergence;
import dev.steward.run.Values;
import dev.steward.store.LedgerEntry;
import dev.steward.store.Store;
import dev.steward.store.StoredEvent;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Steward's own history says about a divergent field: its last successful sync to the
 * subscriber (the sync ledger), and the first event after it whose run touched the field (a
 * decision on it in the trace), or none, when it changed outside Steward. Reads the store once
 * per record. Not thread-safe; one per audit.
 */
final class History {

    /** How many of a record's events after the last sync are searched, oldest first. */
    static final int EVENTS = 500;

    private final Store store;
    private final String entity;
    private final Map<String, List<StoredEvent>> eventsByKey = new HashMap<>();
    private final Map<String, Map<String, LedgerEntry>> ledgers = new HashMap<>();

    History(Store store, String entity) {
        this.store = store;
        this.entity = entity;
    }

    Divergence explain(Comparison.Difference difference) {
        AuditPlan.Pair pair = difference.pair();
        String key = difference.key();
        LedgerEntry last = ledgers.computeIfAbsent(pair.subscriber() + "\u0000" + key,
                k -> store.ledger(pair.subscriber(), entity, key)).get(pair.field());
        Divergence.Sync sync = last == null ? null : new Divergence.Sync(last.writtenAt().toString(), last.eventId(),
                Values.plain(Values.parse(last.valueJson())));
        long after = last == null || last.eventId() == null ? 0
                : store.event(last.eventId()).map(StoredEvent::seq).orElse(0L);
        Divergence.Parting parted = firstTouch(key, pair.field(), after).orElse(Divergence.Parting.outsideSteward());
        return new Divergence(key, pair.field(), pair.master(), difference.masterValue(), difference.masterHasRecord(),
                pair.subscriber(), difference.subscriberValue(), difference.subscriberHasRecord(), sync, parted);
    }

    private Optional<Divergence.Parting> firstTouch(String key, String field, long afterSeq) {
        List<StoredEvent> events = eventsByKey.computeIfAbsent(key + "\u0000" + afterSeq,
                k -> store.eventsOfRecord(entity, key, afterSeq, EVENTS));
        for (StoredEvent event : events) {
            if (event.trace() == null) {
                continue;
            }
            JsonNode trace = Values.parse(event.trace());
            for (JsonNode decision : trace.path("decisions")) {
                if (decision.path("field").asText().equals(field)) {
                    String detail = trace.path("source").asText() + " sent " + field + " = "
                            + Values.canonical(decision.get("newValue")) + ": " + decision.path("decision").asText()
                            + (decision.hasNonNull("reason") ? " (" + decision.get("reason").asText() + ")" : "")
                            + "; event " + event.status().name().toLowerCase(java.util.Locale.ROOT)
                            + (event.error() == null ? "" : ": " + event.error());
                    return Optional.of(new Divergence.Parting(false, event.receivedAt().toString(), event.id(),
                            event.flowId(), detail));
                }
            }
        }
        return Optional.empty();
    }
}
