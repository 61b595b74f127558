/**
 * {@link dev.steward.testing.vendors.netsuite.FakeNetSuite}: a stateful NetSuite account on
 * 127.0.0.1 for tests and the netsuite example ({@link dev.steward.testing.vendors.netsuite.FakeNetSuiteMain}).
 */
package dev.steward.testing.vendors.netsuite;
