package dev.steward.plugin;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link WebhookFormat} made of one delivery: a notification per record, and the reply
 * the vendor expects, if it expects a particular one.
 *
 * @param notifications one per record the delivery is about, in the vendor's order; may be
 *                      empty (a verification ping), then nothing is stored
 * @param reply         the answer to send once every notification is stored; empty: Steward's
 *                      own {@code 202} with the event ids
 */
public record WebhookDelivery(List<Notification> notifications, Optional<Reply> reply) {

    public WebhookDelivery {
        notifications = List.copyOf(notifications);
    }

    /** Notifications answered Steward's own way. */
    public static WebhookDelivery of(List<Notification> notifications) {
        return new WebhookDelivery(notifications, Optional.empty());
    }

    /**
     * One record's notification.
     *
     * @param id      the vendor's id of this notification (HubSpot's {@code eventId}, a
     *                Salesforce notification {@code Id}): Steward stores each id once, so a
     *                redelivery is recognised as a duplicate. Unique per flow, at most 200
     *                characters.
     * @param payload the notification as a JSON object (the record's fields, or only its ids
     *                for a thin notification): the flow's {@code key} and {@code fields} paths
     *                read it
     */
    public record Notification(String id, Map<String, Object> payload) {

        public Notification {
            payload = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(payload));
        }
    }

    /**
     * A vendor's expected answer.
     *
     * @param status      the HTTP status
     * @param contentType the body's content type
     * @param body        the body
     */
    public record Reply(int status, String contentType, String body) {
    }
}
