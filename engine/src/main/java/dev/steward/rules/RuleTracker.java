package dev.steward.rules;

/** Names the DRL rule whose consequence is running, for {@link Decision#by()}. */
@FunctionalInterface
public interface RuleTracker {

    RuleTracker NONE = () -> "rule";

    String currentRule();
}
