package dev.steward.run;

import java.util.List;
import java.util.Map;

/**
 * What {@code /health} says: {@code up}, {@code degraded} (running, but something needs a
 * person: {@link #reasons()} says what), or {@code down} (the store cannot be reached).
 * Immutable.
 *
 * @param details the figures behind the status: backlog, ages, counts, breakers
 */
public record Health(String status, List<String> reasons, Map<String, Object> details) {

    public Health {
        reasons = List.copyOf(reasons);
    }

    public boolean isDown() {
        return status.equals("down");
    }
}
