package dev.steward;

import dev.steward.api.RulesVersion;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The rules versions an engine has run since it started, newest first, in memory: a version is
 * added when the engine starts and when a save makes another one live. Thread-safe.
 */
final class RulesHistory {

    /** How many versions are kept. */
    static final int KEPT = 50;

    private final Clock clock;
    private final Deque<RulesVersion> versions = new ArrayDeque<>();

    RulesHistory(Clock clock) {
        this.clock = clock;
    }

    /** Records that {@code hash} (over {@code files}) is live from now, unless it already was. */
    synchronized void live(String hash, List<String> files) {
        if (!versions.isEmpty() && versions.peekFirst().hash().equals(hash)) {
            return;
        }
        versions.addFirst(new RulesVersion(hash, clock.instant(), List.copyOf(files)));
        while (versions.size() > KEPT) {
            versions.removeLast();
        }
    }

    synchronized List<RulesVersion> recent() {
        return List.copyOf(versions);
    }
}
