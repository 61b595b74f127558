package dev.steward.api;

/**
 * One mastered field of one record whose subscriber does not hold its master's value, and what
 * Steward's history says about it. Values are plain JSON values (text, number, boolean, null),
 * compared in canonical form after the master's flow's transforms.
 *
 * @param masterValue      the master's value, or null when {@code masterHasRecord} is false
 * @param subscriberValue  the subscriber's value, or null when {@code subscriberHasRecord} is false
 * @param lastSync         Steward's last write of the field to the subscriber, or null if it never wrote it
 * @param parted           when the values parted, as far as Steward's history tells
 */
public record Divergence(String key, String field, String master, Object masterValue, boolean masterHasRecord,
                         String subscriber, Object subscriberValue, boolean subscriberHasRecord, Sync lastSync,
                         Parting parted) {

    /**
     * A write of Steward's to the subscriber.
     *
     * @param at      when it was written (ISO-8601)
     * @param eventId the event whose run wrote it
     * @param value   the value written
     */
    public record Sync(String at, String eventId, Object value) {
    }

    /**
     * The first event after the last sync that touched the field, or none ({@code outside}: the
     * value changed outside Steward).
     *
     * @param at      when that event arrived (ISO-8601), null when outside
     * @param eventId the event, null when outside
     * @param flow    its flow, null when outside
     * @param detail  what the event did with the field ({@code erp: email reject (not the master)}),
     *                or {@code changed outside Steward}
     */
    public record Parting(boolean outside, String at, String eventId, String flow, String detail) {

        public static final String OUTSIDE = "changed outside Steward";

        public static Parting outsideSteward() {
            return new Parting(true, null, null, null, OUTSIDE);
        }
    }
}
