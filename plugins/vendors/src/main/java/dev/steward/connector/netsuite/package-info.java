/**
 * Oracle NetSuite: {@code connector: netsuite} (the REST record service with OAuth 2.0 M2M or
 * token-based authentication, upserts by external id, the account's concurrency limit) and
 * {@code format: netsuite} (the Standard Webhooks-signed deliveries of Steward's SuiteScript User
 * Event script, NetSuite having no outbound webhooks of its own).
 */
package dev.steward.connector.netsuite;
