-- The example ERP's customers, keyed by the Salesforce Account's Customer_Number__c.
CREATE TABLE IF NOT EXISTS customers (
  customer_no VARCHAR(32) PRIMARY KEY,
  name VARCHAR(255),
  phone VARCHAR(50),
  credit_limit DECIMAL(14, 2)
);
