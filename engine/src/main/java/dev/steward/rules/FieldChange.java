package dev.steward.rules;

import java.util.Objects;

/**
 * A fact for DRL rules: one field of one record whose value differs from the last value Steward
 * knows for it. A consequence decides with {@link #accept}, {@link #reject} or {@link #invalid}.
 *
 * <p>Mastership has decided before any DRL rule fires ({@link #getOutcome()} tells what it said);
 * a rule that decides again overrides it, except that {@code invalid} is final: once a change is
 * invalid, no later accept or reject changes that. Not thread-safe: one session at a time.
 */
public final class FieldChange {

    private final String entity;
    private final String key;
    private final String field;
    private final Object oldValue;
    private final Object newValue;
    private final String source;
    private final String master;
    private Decision decision;
    private RuleTracker tracker = RuleTracker.NONE;

    public FieldChange(String entity, String key, String field, Object oldValue, Object newValue,
                       String source, String master) {
        this.entity = entity;
        this.key = key;
        this.field = field;
        this.oldValue = oldValue;
        this.newValue = newValue;
        this.source = source;
        this.master = master;
    }

    public String getEntity() { return entity; }
    public String getKey() { return key; }
    public String getField() { return field; }
    public Object getOldValue() { return oldValue; }
    public Object getNewValue() { return newValue; }
    /** The system the change came from. */
    public String getSource() { return source; }
    /** The field's master system, or null when no mastership table masters it. */
    public String getMaster() { return master; }
    public boolean isFromMaster() { return master != null && master.equals(source); }
    /** The current outcome as a word ({@code accept}, {@code reject}, {@code invalid}), or null. */
    public String getOutcome() { return decision == null ? null : decision.outcome().label(); }
    public Decision getDecision() { return decision; }

    public void accept() { accept("accepted by rule"); }
    public void accept(String reason) { decide(Outcome.ACCEPT, reason); }
    public void reject(String reason) { decide(Outcome.REJECT, reason); }
    public void invalid(String message) { decide(Outcome.INVALID, message); }

    /** Sets a decision made outside DRL (a mastership row, echo suppression). */
    public void decide(Decision decision) {
        if (this.decision == null || this.decision.outcome() != Outcome.INVALID) {
            this.decision = decision;
        }
    }

    private void decide(Outcome outcome, String reason) {
        decide(new Decision(outcome, Objects.requireNonNullElse(reason, outcome.label()), tracker.currentRule()));
    }

    /** Lets the rule compiler tell which rule is firing, so decisions name it. */
    public void track(RuleTracker tracker) {
        this.tracker = Objects.requireNonNull(tracker);
    }

    @Override
    public String toString() {
        return entity + "[" + key + "]." + field + ": " + oldValue + " -> " + newValue + " from " + source
                + (decision == null ? "" : " = " + decision.outcome().label());
    }
}
