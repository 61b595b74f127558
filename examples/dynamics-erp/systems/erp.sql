-- The example ERP: created only where the table is missing.
CREATE TABLE IF NOT EXISTS customers (
  account_no VARCHAR(32) PRIMARY KEY,
  name VARCHAR(160),
  email VARCHAR(100),
  credit_limit DECIMAL(14, 2)
);
