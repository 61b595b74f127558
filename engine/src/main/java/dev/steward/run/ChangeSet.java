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
            if (version != null && before != null && before.version() != null && Versions.compare(version, before.version()) < 0) {
                change.decide(new Decision(Outcome.SUPPRESS, "older than version " + before.version()
                        + " already seen; not applied", "flow version"));
                set.suppressed.add(change);
                return;
            }
            if (before != null && before.valueJson().equals(value)) {
                set.unchanged.add(field);
                set.remember.put(field, value);
                return;
            }
            LedgerEntry written = ledger.get(field);
            if (written != null && !written.echoed() && written.valueJson().equals(value)) {
                change.decide(new Decision(Outcome.SUPPRESS, "echo of Steward's own write (event " + written.eventId()
                        + ")", LEDGER));
                set.suppressed.add(change);
                set.echoes.add(field);
                // A late echo must not hide what the system reported after Steward's write. With
                // versions on both sides, the versions say which is later; otherwise arrival times do.
                boolean versioned = version != null && before != null && before.version() != null;
                if (before == null || (versioned ? Versions.compare(version, before.version()) > 0
                        : !before.updatedAt().isAfter(written.writtenAt()))) {
                    set.remember.put(field, value);
                }
                return;
            }
            set.changes.add(change);
            set.remember.put(field, value);
        });
        return set;
    }

    /** Every decided field, suppressed ones first, in the order of the flow's fields otherwise. */
    List<FieldChange> all() {
        List<FieldChange> all = new ArrayList<>(suppressed);
        all.addAll(changes);
        return all;
    }
}
