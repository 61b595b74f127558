package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.rules.Decision;
import dev.steward.rules.FieldChange;
import dev.steward.rules.Outcome;
import dev.steward.rules.RuleSet;
import dev.steward.store.KnownValue;
import dev.steward.store.LedgerEntry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The fields of one incoming record sorted against what Steward knows: unchanged, stale (older
 * than a version already seen), echoes of Steward's own writes (decided {@code suppress}), and
 * real changes for the rules to decide. Not thread-safe: one per run.
 */
final class ChangeSet {

    static final String LEDGER = "sync ledger";

    final List<String> unchanged = new ArrayList<>();
    /** Suppressed fields (stale or echoes), decided already. */
    final List<FieldChange> suppressed = new ArrayList<>();
    /** Real changes, for the rules. */
    final List<FieldChange> changes = new ArrayList<>();
    /** Echoes: each field and the write whose echo (with every earlier write's) is now answered. */
    final Map<String, LedgerEntry> echoes = new LinkedHashMap<>();
    /** What to remember as the source's values: everything observed but stale or outdated echoes. */
    final Map<String, String> remember = new LinkedHashMap<>();

    /**
     * @param version the record's version in this delivery (canonical JSON), or null
     * @param known   what Steward last knew the source holds
     * @param ledger  Steward's recent writes to the source per field, newest first
     */
    static ChangeSet of(String entity, String key, String source, Map<String, JsonNode> observed, String version,
                        Map<String, KnownValue> known, Map<String, List<LedgerEntry>> ledger, RuleSet rules) {
        return of(entity, key, source, observed, null, version, known, ledger, rules);
    }

    /**
     * @param plain the plain values of {@code observed} ({@link Values#plain}), by field, when the
     *              caller has them already; null to make them here
     */
    static ChangeSet of(String entity, String key, String source, Map<String, JsonNode> observed, Map<String, Object> plain,
                        String version, Map<String, KnownValue> known, Map<String, List<LedgerEntry>> ledger, RuleSet rules) {
        ChangeSet set = new ChangeSet();
        observed.forEach((field, node) -> {
            String value = Values.canonical(node);
            KnownValue before = known.get(field);
            Object oldValue = before == null ? null : Values.plainOf(before.valueJson());
            String master = rules == null ? null : rules.masterOrNull(entity, field);
            FieldChange change = new FieldChange(entity, key, field, oldValue,
                    plain == null ? Values.plain(node) : plain.get(field), source, master);
            List<LedgerEntry> writes = ledger.getOrDefault(field, List.of());
            LedgerEntry written = writes.isEmpty() ? null : writes.getFirst();
            if (version != null && before != null && before.version() != null && Versions.compare(version, before.version()) < 0) {
                set.suppress(change, "older than version " + before.version() + " already seen; not applied", "flow version");
            } else if (version != null && written != null && written.version() != null) {
                set.byVersion(change, value, version, before, writes);
            } else {
                set.byValue(change, value, version, before, writes);
            }
        });
        return set;
    }

    /**
     * The system's deliveries and Steward's writes there both carry versions: a delivery older
     * than Steward's last write predates it (an earlier write's echo among them); at or after
     * it, the write's value is its echo and any other value an edit made after the write, even
     * one back to an older value.
     */
    private void byVersion(FieldChange change, String value, String version, KnownValue before, List<LedgerEntry> writes) {
        String field = change.getField();
        LedgerEntry written = writes.getFirst();
        if (Versions.compare(version, written.version()) < 0) {
            LedgerEntry earlier = writes.stream().filter(w -> w.valueJson().equals(value) && w.version() != null
                    && Versions.compare(version, w.version()) == 0).findFirst().orElse(null);
            if (earlier != null) {
                suppress(change, "echo of Steward's earlier write (event " + earlier.eventId() + "), since written again"
                        + " in version " + written.version(), LEDGER);
                echoes.put(field, earlier);
            } else {
                suppress(change, "older than Steward's write in version " + written.version() + "; not applied", LEDGER);
            }
        } else if (written.valueJson().equals(value)) {
            if (written.echoed() && before != null && before.valueJson().equals(value)) {
                unchanged.add(field);
            } else {
                suppress(change, "echo of Steward's own write (event " + written.eventId() + ")", LEDGER);
                echoes.put(field, written);
            }
            remember.put(field, value);
        } else if (before != null && before.valueJson().equals(value) && before.version() != null
                && Versions.compare(before.version(), written.version()) >= 0) {
            unchanged.add(field);
            remember.put(field, value);
        } else {
            changes.add(change);
            remember.put(field, value);
        }
    }

    /**
     * No versions to go by: a value equal to one of Steward's recent writes whose echo is still
     * to come is that write's echo, the latest write's or an earlier one's (the oldest such write:
     * its echo answers it and every write before it). A write whose echo came back no longer
     * matches, so a person's edit back to an earlier written value is a change once the system
     * has reported anything else of the field since that echo.
     */
    private void byValue(FieldChange change, String value, String version, KnownValue before, List<LedgerEntry> writes) {
        String field = change.getField();
        if (writes.isEmpty()) { // no recent write: no echo; what follows, without its searches
            if (before != null && before.valueJson().equals(value)) {
                unchanged.add(field);
                if (version != null) {
                    remember.put(field, value);
                }
            } else {
                changes.add(change);
                remember.put(field, value);
            }
            return;
        }
        // The oldest: one echo answers one write, and a system sends its echoes in order.
        LedgerEntry echoed = null;
        for (int i = writes.size() - 1; i >= 0; i--) {
            LedgerEntry w = writes.get(i);
            if (!w.echoed() && w.valueJson().equals(value)) {
                echoed = w;
                break;
            }
        }
        if (before != null && before.valueJson().equals(value)) {
            unchanged.add(field);
            // Without a version to store, remembering would only move the time Steward learnt the
            // value past its later writes, and that time decides which of their echoes is remembered.
            if (version != null) {
                remember.put(field, value);
            }
            if (echoed != null) {
                echoes.put(field, echoed);
            }
        } else if (echoed != null) {
            LedgerEntry latest = writes.getFirst();
            boolean earlier = !latest.valueJson().equals(value);
            suppress(change, "echo of Steward's " + (earlier ? "earlier" : "own") + " write (event " + echoed.eventId() + ")"
                    + (earlier ? ", since written again" : ""), LEDGER);
            echoes.put(field, echoed);
            // An earlier write's echo is out of date: Steward has written the field again since.
            // A late echo must not hide what the system reported after Steward's write either. With
            // versions on both sides, the versions say which is later; otherwise arrival times do
            // (a value learnt by the very run that wrote, a heal's cause, came before the write).
            boolean versioned = version != null && before != null && before.version() != null;
            if (!earlier && (before == null || (versioned ? Versions.compare(version, before.version()) > 0
                    : !before.updatedAt().isAfter(latest.writtenAt()) || Objects.equals(before.eventId(), latest.eventId())))) {
                remember.put(field, value);
            }
        } else if (writes.stream().anyMatch(w -> w.echoed() && w.valueJson().equals(value)
                && (before == null || w.echoedAt().isAfter(before.updatedAt())))) {
            // The last the system said of this field was this write's echo (Steward has learnt
            // nothing of it since, and then kept what it knew): the same value again is no edit.
            unchanged.add(field);
        } else {
            changes.add(change);
            remember.put(field, value);
        }
    }

    /**
     * The canonical text of a change's new value, when {@code value} is that value itself (not one
     * equal to it from elsewhere); null otherwise.
     */
    String changedCanonical(String field, Object value) {
        for (FieldChange change : changes) {
            if (change.getNewValue() == value && change.getField().equals(field)) {
                return remember.get(field);
            }
        }
        return null;
    }

    private void suppress(FieldChange change, String reason, String by) {
        change.decide(new Decision(Outcome.SUPPRESS, reason, by));
        suppressed.add(change);
    }

    /**
     * Every decided field, suppressed ones first, in the order of the flow's fields otherwise; to
     * read only (with nothing suppressed, it is {@link #changes} itself).
     */
    List<FieldChange> all() {
        if (suppressed.isEmpty()) {
            return changes;
        }
        List<FieldChange> all = new ArrayList<>(suppressed);
        all.addAll(changes);
        return all;
    }
}
