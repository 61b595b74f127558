package dev.steward.run;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether each flow is getting anywhere: when it last succeeded, and since when it has had events
 * without a success. Counts what this host received and ran since it started. Thread-safe.
 */
public final class FlowProgress {

    private record State(Instant lastSuccess, Instant waitingSince) {}

    private final Map<String, State> flows = new ConcurrentHashMap<>();

    public void received(String flow, Instant at) {
        flows.compute(flow, (id, state) -> state == null ? new State(null, at)
                : state.waitingSince() == null ? new State(state.lastSuccess(), at) : state);
    }

    public void succeeded(String flow, Instant at) {
        flows.put(flow, new State(at, null));
    }

    /** The flows that have had events for longer than {@code threshold} without one succeeding. */
    List<String> stalled(Instant now, Duration threshold) {
        List<String> reasons = new ArrayList<>();
        flows.forEach((flow, state) -> {
            if (state.waitingSince() != null && Duration.between(state.waitingSince(), now).compareTo(threshold) > 0) {
                reasons.add("flow " + flow + " has received events for " + RetryPolicy.text(
                        Duration.ofSeconds(Duration.between(state.waitingSince(), now).toSeconds()))
                        + " without a success (last success: " + (state.lastSuccess() == null ? "none since start"
                        : state.lastSuccess().toString()) + ")");
            }
        });
        reasons.sort(null);
        return reasons;
    }
}
