package dev.steward.store;

import java.time.LocalDate;

/** So many conflicts of one kind prevented in one field of an entity on one UTC day. */
public record ConflictCount(LocalDate day, String entity, String field, Conflict kind, long n) {
}
