-- The demo CRM: created and seeded only where the tables are missing.
CREATE TABLE IF NOT EXISTS customers (
  id VARCHAR(64) PRIMARY KEY,
  name VARCHAR(200),
  email VARCHAR(200),
  phone VARCHAR(50),
  credit_limit DECIMAL(14, 2)
);
CREATE TABLE IF NOT EXISTS products (
  sku VARCHAR(64) PRIMARY KEY,
  name VARCHAR(200),
  inventory_qty INTEGER
);
CREATE TABLE IF NOT EXISTS deals (
  id VARCHAR(64) PRIMARY KEY,
  name VARCHAR(200),
  stage VARCHAR(50),
  erp_order_no VARCHAR(32)
);
ALTER TABLE deals ADD COLUMN IF NOT EXISTS erp_order_no VARCHAR(32);
MERGE INTO customers (id, name, email, phone, credit_limit) KEY (id)
  SELECT 'C-1001', 'Ada Lovelace Ltd', 'ada@old.example', '+44 20 7946 0001', 5000 FROM DUAL
  WHERE NOT EXISTS (SELECT 1 FROM customers WHERE id = 'C-1001');
MERGE INTO products (sku, name, inventory_qty) KEY (sku)
  SELECT 'SKU-42', 'Analytical Engine', 3 FROM DUAL
  WHERE NOT EXISTS (SELECT 1 FROM products WHERE sku = 'SKU-42');
MERGE INTO deals (id, name, stage) KEY (id)
  SELECT 'D-7', 'Engine for Ada', 'Negotiation' FROM DUAL
  WHERE NOT EXISTS (SELECT 1 FROM deals WHERE id = 'D-7');
