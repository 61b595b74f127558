package dev.steward.host.vendors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.steward.host.RunningHost;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Bounded polling and event listing shared by the vendor ITs: they wait on the host, never sleep blindly. */
final class Polling {

    private Polling() {
    }

    /** The host's events, newest first, of one flow and one status; null means any. */
    static List<JsonNode> events(RunningHost host, String flow, String status) {
        List<JsonNode> out = new ArrayList<>();
        host.getJson("/api/events?limit=1000" + (flow == null ? "" : "&flow=" + flow)
                + (status == null ? "" : "&status=" + status)).path("events").forEach(out::add);
        return out;
    }

    /** Polls {@code probe} every {@code pauseMillis} until it returns non-null, for at most {@code limit}. */
    static <T> T await(String what, Duration limit, long pauseMillis, Supplier<T> probe) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            sleep(pauseMillis);
        }
        throw new AssertionError(what + " did not come within " + limit.toSeconds() + " s");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
