/**
 * The Salesforce preset: {@code connector: salesforce} ({@link
 * dev.steward.connector.salesforce.SalesforceConnectorFactory}, REST sObjects, SOQL, sObject
 * Collections) and the webhook formats {@code salesforce-outbound} (SOAP Outbound Messages,
 * {@link dev.steward.connector.salesforce.OutboundMessageFormat}) and {@code salesforce-cdc}
 * (Change Data Capture events relayed as signed JSON,
 * {@link dev.steward.connector.salesforce.ChangeEventFormat}).
 */
package dev.steward.connector.salesforce;
