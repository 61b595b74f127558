package dev.steward.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.model.Flow;
import dev.steward.plugin.WebhookDelivery;
import dev.steward.store.NewEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns the notifications a webhook format read from one delivery into the events Steward
 * stores: one per notification, deduplicated on the vendor's notification id as a delivery id
 * is, with the record key at the flow's {@code key} path. One notification that cannot become an
 * event refuses the whole delivery, so that nothing of it is stored half. Stateless.
 */
public final class NotificationEvents {

    private NotificationEvents() {
    }

    /**
     * The events, in the notifications' order.
     *
     * @param ids the notifications' ids as the store keeps them (a long id shortened), in order
     * @throws PayloadRejectedException unusable (422) when a notification has no key, or a key,
     *                                  id or number out of range
     */
    public static List<NewEvent> of(Flow flow, List<WebhookDelivery.Notification> notifications, List<String> ids) {
        List<NewEvent> events = new ArrayList<>(notifications.size());
        for (int i = 0; i < notifications.size(); i++) {
            String id = ids.get(i);
            String which = "notification " + (i + 1) + " (id " + LogText.of(id) + ")";
            if (id.isBlank() || id.length() > NewEvent.MAX_DELIVERY_ID_LENGTH) {
                throw new PayloadRejectedException(which + ": a notification id must have 1 to "
                        + NewEvent.MAX_DELIVERY_ID_LENGTH + " characters", false);
            }
            JsonNode payload = Values.toNode(notifications.get(i).payload());
            Optional<String> range = PayloadReader.numberOutOfRange(payload);
            if (range.isPresent()) {
                throw new PayloadRejectedException(which + ": " + range.get(), false);
            }
            String key = Values.key(Values.at(payload, flow.keyPath())).orElseThrow(() -> new PayloadRejectedException(
                    which + " has no record key at '" + flow.keyPath() + "' (flow " + flow.id() + ")", false));
            if (key.length() > NewEvent.MAX_KEY_LENGTH) {
                throw new PayloadRejectedException(which + ": the record key at '" + flow.keyPath() + "' is "
                        + key.length() + " characters long; at most " + NewEvent.MAX_KEY_LENGTH + " are accepted", false);
            }
            events.add(new NewEvent(flow.id(), id, flow.entity(), key, Values.canonical(payload)));
        }
        return events;
    }
}
