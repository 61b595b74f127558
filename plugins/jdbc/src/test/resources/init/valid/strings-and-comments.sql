-- CREATE ALIAS in a comment is fine
CREATE TABLE IF NOT EXISTS customers (crm_id VARCHAR(64) PRIMARY KEY, note VARCHAR(200));
/* FILE_READ here too */
MERGE INTO customers KEY (crm_id) VALUES ('C-1', 'say CREATE ALIAS; or FILE_READ(''x'')');
INSERT INTO customers VALUES ('C-2', 'it''s -- not a comment');
