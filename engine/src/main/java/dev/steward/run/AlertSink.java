package dev.steward.run;

/**
 * Where the engine hands its alerts. An implementation must return at once and never throw: it
 * is called from the worker threads, and an alert must never slow or fail a run (the host's
 * sends them from a thread of its own). Thread-safe.
 */
@FunctionalInterface
public interface AlertSink {

    AlertSink NONE = alert -> { };

    void raise(Alert alert);
}
