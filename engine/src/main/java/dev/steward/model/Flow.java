package dev.steward.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A flow as loaded from {@code flows/*.yaml}. Immutable.
 *
 * @param trigger what starts the flow's events: a webhook, a poll or a schedule
 * @param source  the system the events come from
 * @param keyPath where the record key is in the payload (a dotted path)
 * @param fields  canonical field name to its dotted path in the payload, in declaration order
 * @param versionPath where the record's modification stamp or version is in the payload, if the
 *                flow names one: a delivery older than what Steward already saw is not applied
 * @param retry   the flow's {@code retry:}, over the host's; a sync step may override it
 * @param fetch   {@code fetch: true}: before the rules run, the full record is read from the source
 *                system by the key the event carries, and {@code fields} (and {@code version}) are
 *                read from that record, under the source's native field names, instead of the payload
 */
public record Flow(String id, String description, String file, Trigger trigger, String source,
                   String entity, String keyPath, Map<String, String> fields, List<Step> steps,
                   java.util.Optional<String> versionPath, RetrySettings retry, boolean fetch) {

    public Flow(String id, String description, String file, Trigger trigger, String source, String entity,
                String keyPath, Map<String, String> fields, List<Step> steps, java.util.Optional<String> versionPath,
                RetrySettings retry) {
        this(id, description, file, trigger, source, entity, keyPath, fields, steps, versionPath, retry, false);
    }

    public Flow(String id, String description, String file, Trigger trigger, String source, String entity,
                String keyPath, Map<String, String> fields, List<Step> steps, java.util.Optional<String> versionPath) {
        this(id, description, file, trigger, source, entity, keyPath, fields, steps, versionPath, RetrySettings.NONE);
    }

    /** The flow's webhook, when its trigger is one. */
    public java.util.Optional<WebhookTrigger> webhook() {
        return trigger instanceof WebhookTrigger hook ? java.util.Optional.of(hook) : java.util.Optional.empty();
    }

    public Flow {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        steps = List.copyOf(steps);
    }
}
