package dev.steward.store;

import java.util.Objects;

/**
 * An event as received, before it is stored.
 *
 * @param deliveryId the sender's delivery id (a {@code webhook-id} header, say), or null when the
 *     trigger has none; events of one flow with the same delivery id are one event
 * @param payload the body as JSON text
 */
public record NewEvent(String flowId, String deliveryId, String entity, String key, String payload) {

    /** The longest record key the store keeps (its {@code record_key} columns); a longer one is refused at intake. */
    public static final int MAX_KEY_LENGTH = 500;

    /** The longest delivery id the store keeps (its {@code delivery_id} column). */
    public static final int MAX_DELIVERY_ID_LENGTH = 500;

    public NewEvent {
        Objects.requireNonNull(flowId, "flowId");
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
    }
}
