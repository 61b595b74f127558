-- Conflicts Steward prevented, counted per UTC day, entity, field and kind (rejected, quarantined,
-- heals, echoes, holds): GET /api/stats. Each group commit of run outcomes adds its counts to
-- these rows in the same transaction, so they survive restarts and add up across hosts.
CREATE TABLE conflict_counts (
    count_day DATE         NOT NULL,
    entity  VARCHAR(200) NOT NULL,
    field   VARCHAR(200) NOT NULL,
    kind    VARCHAR(20)  NOT NULL,
    n       BIGINT       NOT NULL,
    PRIMARY KEY (count_day, entity, field, kind)
);
