/**
 * Vendor presets: connectors ({@code connector: hubspot}, {@code salesforce}, {@code dynamics},
 * {@code netsuite}, {@code sap}, {@code quickbooks}) and webhook formats
 * ({@code trigger.webhook.format}) for the CRMs and ERPs Steward's users run, each a plugin on
 * the connector SPI ({@link dev.steward.plugin.ConnectorFactory},
 * {@link dev.steward.plugin.WebhookFormat}), one package per vendor, sending through the http
 * connector's {@link dev.steward.connector.http.SystemHttp}.
 */
package dev.steward.connector.vendor;
