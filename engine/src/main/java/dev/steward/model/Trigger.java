package dev.steward.model;

/**
 * What starts a flow's events: a {@link WebhookTrigger} (a system posts them), a
 * {@link PollTrigger} (Steward lists what changed in a system, every so often) or a
 * {@link ScheduleTrigger} (a cron schedule ticks). Immutable.
 */
public sealed interface Trigger permits WebhookTrigger, PollTrigger, ScheduleTrigger {

    /** {@code webhook}, {@code poll} or {@code schedule}, as written in a flow file. */
    String kind();

    /**
     * What the trigger's stored state depends on: when it changes (another entity, another
     * {@code since}, another cron), the stored cursor or last tick no longer applies and starts over.
     */
    default String stateKey() {
        return toString();
    }
}
