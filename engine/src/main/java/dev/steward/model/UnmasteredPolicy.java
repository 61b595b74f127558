package dev.steward.model;

/**
 * What happens to a change of a field no table masters, for one entity
 * ({@code - { entity: deal, unmastered: accept }}). The default is {@link #REJECT}.
 */
public record UnmasteredPolicy(String entity, boolean accept, SourceLocation location) {
}
