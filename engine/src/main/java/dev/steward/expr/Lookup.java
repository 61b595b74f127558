package dev.steward.expr;

/**
 * The values a {@link Condition} reads by name: a record's canonical fields, a payload's paths.
 * Implementations decide what a name means; an unknown name is null (empty).
 */
public interface Lookup {

    /** The value of a name, or null when there is none. */
    Object value(String name);

    /** Whether the named value changed in this event ({@code changed}); never, unless the caller knows. */
    default boolean changed(String name) {
        return false;
    }
}
