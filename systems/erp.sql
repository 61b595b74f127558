-- The demo ERP: created and seeded only where the tables are missing.
CREATE TABLE IF NOT EXISTS customers (
  crm_id VARCHAR(64) PRIMARY KEY,
  account_no VARCHAR(32),
  email VARCHAR(200),
  phone VARCHAR(50),
  credit_limit DECIMAL(14, 2)
);
CREATE TABLE IF NOT EXISTS items (
  sku VARCHAR(64) PRIMARY KEY,
  description VARCHAR(200),
  qty_on_hand INTEGER
);
-- When a row last changed, set by the database on every UPDATE: what flows/erp-product-poll.yaml
-- polls on. Added apart so that an ERP made by an earlier version of this script gets it too.
ALTER TABLE items ADD COLUMN IF NOT EXISTS changed_at TIMESTAMP(3)
  DEFAULT LOCALTIMESTAMP(3) ON UPDATE LOCALTIMESTAMP(3);
CREATE TABLE IF NOT EXISTS sales_orders (
  crm_deal_id VARCHAR(64) PRIMARY KEY,
  order_no VARCHAR(32),
  status VARCHAR(50)
);
MERGE INTO customers (crm_id, account_no, email, phone, credit_limit) KEY (crm_id)
  SELECT 'C-1001', 'A-0001', 'ada@old.example', '+44 20 7946 0001', 5000 FROM DUAL
  WHERE NOT EXISTS (SELECT 1 FROM customers WHERE crm_id = 'C-1001');
MERGE INTO items (sku, description, qty_on_hand) KEY (sku)
  SELECT 'SKU-42', 'Analytical Engine', 3 FROM DUAL
  WHERE NOT EXISTS (SELECT 1 FROM items WHERE sku = 'SKU-42');
MERGE INTO sales_orders (crm_deal_id, order_no, status) KEY (crm_deal_id)
  SELECT 'D-7', 'SO-9001', 'Negotiation' FROM DUAL
  WHERE NOT EXISTS (SELECT 1 FROM sales_orders WHERE crm_deal_id = 'D-7');
