/**
 * Audits: reads an entity's records from every system that holds it, compares each mastered
 * field's master value with its subscribers', explains each divergence from Steward's history,
 * and repairs through the normal run path. Reached through {@link dev.steward.Audits}.
 */
package dev.steward.audit;
