-- steward batch: what a batch run learnt and wrote about a record Steward knew nothing of before
-- (no known values, no recent writes, no holds), in one row per record instead of a row per field
-- in known_values, writes and recent_writes. The first read or write of such a record outside
-- the batch (a live run, the API, an audit) moves its row into those tables, as the batch's run
-- would have written them, and deletes it; effects is JSON of the run's known values and writes.
CREATE TABLE batch_records (
    record_key  VARCHAR(500) NOT NULL,
    entity      VARCHAR(200) NOT NULL,
    event_id    VARCHAR(64)  NOT NULL,
    written_at  BIGINT       NOT NULL,
    effects     VARCHAR      NOT NULL,
    CONSTRAINT batch_records_pk PRIMARY KEY (record_key, entity)
);
