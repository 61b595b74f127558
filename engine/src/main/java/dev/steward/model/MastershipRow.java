package dev.steward.model;

import java.util.List;

/**
 * One item of a mastership table: for these fields of this entity, {@code master} is the
 * system of record and {@code subscribers} receive its values. Immutable.
 */
public record MastershipRow(String entity, List<String> fields, String master, List<String> subscribers,
                            String reason, SourceLocation location) {

    public MastershipRow {
        fields = List.copyOf(fields);
        subscribers = List.copyOf(subscribers);
    }
}
