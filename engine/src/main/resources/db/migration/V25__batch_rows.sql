-- A batch's record new to Steward in one row, keyed by a 64-bit hash of its entity and key: one
-- B-tree (the primary key is the row's key on H2) instead of a table and an index on two text
-- columns, and its effects as UTF-8 bytes. Replaces batch_records, whose rows the store moves
-- into the ledger when it opens (Store.open); the table stays until a later version drops it.
CREATE TABLE batch_rows (
    key_hash    BIGINT       NOT NULL,
    record_key  VARCHAR(500) NOT NULL,
    entity      VARCHAR(200) NOT NULL,
    event_id    VARCHAR(64)  NOT NULL,
    written_at  BIGINT       NOT NULL,
    effects     BYTEA        NOT NULL,
    CONSTRAINT batch_rows_pk PRIMARY KEY (key_hash)
);
