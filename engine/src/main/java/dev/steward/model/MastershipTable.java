package dev.steward.model;

import java.util.List;

/** One mastership file ({@code rules/mastership.yaml}) as loaded. Immutable. */
public record MastershipTable(String file, List<MastershipRow> rows, List<UnmasteredPolicy> unmastered) {

    public MastershipTable {
        rows = List.copyOf(rows);
        unmastered = List.copyOf(unmastered);
    }
}
