package dev.steward.store;

/** One record of an entity, across systems: what a run works on, and what claims keep in order. */
public record RecordKey(String entity, String key) {
}
