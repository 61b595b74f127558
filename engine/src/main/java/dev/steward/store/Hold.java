package dev.steward.store;

import java.time.Instant;

/**
 * A field of a record that Steward stopped writing because its value kept reversing (a
 * flip-flop between systems), until someone releases it.
 *
 * @param history the values written in the window that tripped the breaker, as JSON text
 */
public record Hold(String entity, String key, String field, Instant since, String reason, String history) {
}
