package dev.steward.plugin;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of the records of an entity, from {@link Connector#list}.
 *
 * <p>Lifecycle: a caller starts with no cursor and passes {@link #next()} back to get the
 * following page, until {@code next} is empty. A cursor is opaque to Steward and means
 * something only to the connector that made it; it may be stored (a batch run that resumes)
 * and must stay valid while the records do not change. Immutable and thread-safe.
 *
 * @param records the records of this page, in the connector's stable order; may be empty
 * @param next    the cursor of the following page, or empty when this page is the last
 */
public record Page(List<SystemRecord> records, Optional<String> next) {

    public Page {
        records = List.copyOf(records);
        next = Objects.requireNonNullElse(next, Optional.empty());
    }

    /** The last page. */
    public static Page last(List<SystemRecord> records) {
        return new Page(records, Optional.empty());
    }
}
