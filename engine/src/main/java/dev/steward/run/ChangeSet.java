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
    /** Echoes whose ledger entry is now answered. */
    final List<String> echoes = new ArrayList<>();
    /** What to remember as the source's values: everything observed but stale or outdated echoes. */
    final Map<String, String> remember = new LinkedHashMap<>();

    /**
     * @param version the record's version in this delivery (canonical JSON), or null
     * @param known   what Steward last knew the source holds
     * @param ledger  what Steward last wrote to the source
     */
    static ChangeSet of(String entity, String key, String source, Map<String, JsonNode> observed, String version,
                        Map<String, KnownValue> known, Map<String, LedgerEntry> ledger, RuleSet rules) {
        ChangeSet set = new ChangeSet();
        observed.forEach((field, node) -> {
            String value = Values.canonical(node);
            KnownValue before = known.get(field);
            Object oldValue = before == null ? null : Values.plain(Values.parse(before.valueJson()));
            String master = rules == null ? null : rules.masterOf(entity, field).orElse(null);
            FieldChange change = new FieldChange(entity, key, field, oldValue, Values.plain(node), source, master);
            LedgerEntry written = ledger.get(field);
            if (version != null && before != null && before.version() != null && Versions.compare(version, before.version()) < 0) {
                set.suppress(change, "older than version " + before.version() + " already seen; not applied", "flow version");
            } else if (version != null && written != null && written.version() != null) {
                set.byVersion(change, value, version, before, written);
            } else {
                set.byValue(change, value, version, before, written);
            }
        });
        return set;
    }

    /**
     * The system's deliveries and Steward's writes there both carry versions: a delivery older
     * than Steward's last write predates it; at or after it, the write's value is its echo and
     * any other value an edit made after the write, even one back to an older value.
     */
    private void byVersion(FieldChange change, String value, String version, KnownValue before, LedgerEntry written) {
        String field = change.getField();
        if (Versions.compare(version, written.version()) < 0) {
            suppress(change, "older than Steward's write in version " + written.version() + "; not applied", LEDGER);
        } else if (written.valueJson().equals(value)) {
            if (written.echoed() && before != null && before.valueJson().equals(value)) {
                unchanged.add(field);
            } else {
                suppress(change, "echo of Steward's own write (event " + written.eventId() + ")", LEDGER);
                echoes.add(field);
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

    /** No versions to go by: the value equal to Steward's not yet echoed write is its echo. */
    private void byValue(FieldChange change, String value, String version, KnownValue before, LedgerEntry written) {
        String field = change.getField();
        if (before != null && before.valueJson().equals(value)) {
            unchanged.add(field);
            remember.put(field, value);
        } else if (written != null && !written.echoed() && written.valueJson().equals(value)) {
            suppress(change, "echo of Steward's own write (event " + written.eventId() + ")", LEDGER);
            echoes.add(field);
            // A late echo must not hide what the system reported after Steward's write. With
            // versions on both sides, the versions say which is later; otherwise arrival times do.
            boolean versioned = version != null && before != null && before.version() != null;
            if (before == null || (versioned ? Versions.compare(version, before.version()) > 0
                    : !before.updatedAt().isAfter(written.writtenAt()))) {
                remember.put(field, value);
            }
        } else {
            changes.add(change);
            remember.put(field, value);
        }
    }

    private void suppress(FieldChange change, String reason, String by) {
        change.decide(new Decision(Outcome.SUPPRESS, reason, by));
        suppressed.add(change);
    }

    /** Every decided field, suppressed ones first, in the order of the flow's fields otherwise. */
    List<FieldChange> all() {
        List<FieldChange> all = new ArrayList<>(suppressed);
        all.addAll(changes);
        return all;
    }
}
