/**
 * What the engine answers with: immutable records of events, attempts, holds, dead-letter
 * reports, access rows, file saves and rules versions. Together with {@code dev.steward.model}
 * and {@link dev.steward.Engine} this is all a host needs; the store and the run path stay
 * behind the engine.
 */
package dev.steward.api;
