-- The example CRM: accounts keyed by their SAP business partner number.
CREATE TABLE IF NOT EXISTS accounts (
  sap_id VARCHAR(10) PRIMARY KEY,
  name VARCHAR(40),
  search_term VARCHAR(20)
);
