-- steward batch: one row per batch run of a flow over one input (a file, or a system's listing),
-- with its checkpoint. A chunk's known values, ledger writes and the checkpoint that moves past it
-- commit in one transaction; in_doubt counts the records after the checkpoint whose writes to the
-- targets may have been made when the process stopped (checked against the targets on resume).
CREATE TABLE batches (
    id            VARCHAR(64)   NOT NULL PRIMARY KEY,
    flow_id       VARCHAR(200)  NOT NULL,
    input         VARCHAR(2000) NOT NULL,
    done          BIGINT        NOT NULL,
    next_cursor   VARCHAR,
    in_doubt      BIGINT        NOT NULL,
    written       BIGINT        NOT NULL,
    rejected      BIGINT        NOT NULL,
    rejects_bytes BIGINT        NOT NULL,
    started_at    BIGINT        NOT NULL,
    updated_at    BIGINT        NOT NULL,
    finished_at   BIGINT
);
