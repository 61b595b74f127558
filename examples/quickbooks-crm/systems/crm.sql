-- The example CRM: customers keyed by their QuickBooks Id.
CREATE TABLE IF NOT EXISTS customers (
  qbo_id VARCHAR(32) PRIMARY KEY,
  name VARCHAR(200),
  email VARCHAR(200),
  phone VARCHAR(50)
);
