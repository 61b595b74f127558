-- Secrets connectors learn while they run and keep across restarts and hosts (a rotated OAuth
-- refresh token), per system. Only ciphertext is stored: AES-256-GCM under the key in
-- STEWARD_SECRET_KEY, a fresh 12-byte nonce per value, the system's name as associated data;
-- both as base64 text, which H2 and PostgreSQL store alike. A value is replaced by a
-- compare-and-set on the ciphertext, so that of several hosts rotating one token only one wins.
CREATE TABLE connector_secrets (
    system_name VARCHAR(200) NOT NULL,
    secret_name VARCHAR(200) NOT NULL,
    ciphertext  VARCHAR      NOT NULL,
    nonce       VARCHAR(64)  NOT NULL,
    updated_at  BIGINT       NOT NULL,
    PRIMARY KEY (system_name, secret_name)
);
