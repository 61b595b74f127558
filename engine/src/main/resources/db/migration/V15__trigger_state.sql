-- Poll and schedule triggers: one row per flow, shared by every host on the store.
-- A host runs a trigger only while it holds the row's lease (owner, lease_until): it takes the
-- lease with one conditional UPDATE when the trigger is due and nobody holds it, renews it
-- while it works, and gives it back with the new position. A host that dies leaves a lease
-- that expires, and another host takes over. Same dialect rules as V1.
CREATE TABLE trigger_state (
    flow_id         VARCHAR(200) NOT NULL PRIMARY KEY,
    kind            VARCHAR(16)  NOT NULL,
    -- the trigger's settings the position belongs to (entity, since field, cron); when they
    -- change, the position starts over
    signature       VARCHAR(1000) NOT NULL,
    -- poll: the connector's cursor or the highest 'since' value stored; schedule: the last
    -- tick as epoch milliseconds. NULL before the first success.
    position        VARCHAR,
    next_due_at     BIGINT       NOT NULL,
    owner           VARCHAR(200),
    lease_until     BIGINT,
    failures        INT          NOT NULL DEFAULT 0,
    last_error      VARCHAR,
    last_started_at BIGINT,
    last_success_at BIGINT,
    events_stored   BIGINT       NOT NULL DEFAULT 0
);
