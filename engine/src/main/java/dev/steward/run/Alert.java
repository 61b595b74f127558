package dev.steward.run;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something a person should hear about without looking: a dead letter, or health turning
 * degraded or recovering. Immutable; {@link #body()} is what is sent.
 *
 * @param type    {@code dead-letter} or {@code health}
 * @param details the rest of the alert's JSON object, in order
 */
public record Alert(String type, Instant at, Map<String, Object> details) {

    public Alert {
        details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** The JSON object sent for this alert: type, time, then the details. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("at", at.toString());
        body.putAll(details);
        return body;
    }
}
