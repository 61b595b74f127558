-- The example ERP's customers, keyed by the HubSpot contact's record id.
CREATE TABLE IF NOT EXISTS customers (
  hubspot_id VARCHAR(32) PRIMARY KEY,
  account_no VARCHAR(32),
  email VARCHAR(200),
  phone VARCHAR(50),
  lifecycle_stage VARCHAR(50),
  credit_limit DECIMAL(14, 2)
);
