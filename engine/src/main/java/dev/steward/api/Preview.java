package dev.steward.api;

import java.util.List;

/**
 * What draft files would change in the decisions of recent events: both configurations decide
 * each event's fields in memory, on the same inputs, and the fields whose decision differs are
 * counted. Nothing is written anywhere.
 *
 * @param validation  the drafts' check: when not valid, nothing was replayed and the rest is empty
 * @param current     the rules version compared against (the running one, or, from the command
 *                    line, the one the newest replayed event ran with)
 * @param draft       the rules version the drafts make
 * @param events      how many events were replayed
 * @param changed     how many of them got a different decision for at least one field
 * @param elapsedMs   how long the replay took
 * @param flows       the flows whose events were replayed (those the drafts affect)
 * @param differences each changed decision with its count, most frequent first
 * @param notes       what the replay did not do as a run would: a {@code fetch: true} flow's records
 *                    are not read from its source (no connector is called), its stored payloads are used
 */
public record Preview(Validation validation, String current, String draft, int events, int changed, long elapsedMs,
                      List<String> flows, List<Difference> differences, List<String> notes) {

    public Preview(Validation validation, String current, String draft, int events, int changed, long elapsedMs,
                   List<String> flows, List<Difference> differences) {
        this(validation, current, draft, events, changed, elapsedMs, flows, differences, List.of());
    }

    /** How many events a preview replays unless told otherwise. */
    public static final int DEFAULT_EVENTS = 1_000;
    /** The most events one preview replays. */
    public static final int MAX_EVENTS = 10_000;

    /**
     * One field's decision that changes, in a flow: {@code before} and {@code after} are decision
     * labels ({@code accept}, {@code reject}, {@code invalid}, {@code suppress}, {@code failed}, or
     * {@code unchanged} when that side saw no change to decide), {@code beforeBy} and
     * {@code afterBy} what decided (a table row's file:line, a rule's name).
     *
     * @param samples up to five ids of events it happened to, newest first
     */
    public record Difference(String flow, String entity, String field, String before, String after, String beforeBy,
                             String afterBy, int count, List<String> samples) {
    }

    /** A refused preview: the drafts have errors. */
    public static Preview refused(Validation validation) {
        return new Preview(validation, null, validation.rulesVersion().orElse(null), 0, 0, 0, List.of(), List.of());
    }
}
