-- Fencing for several hosts on one store: every claim of an event takes the next claim token
-- (a lease generation), and a run's outcome is recorded only while the event still carries the
-- token its claim took ("... WHERE id = ? AND claim_token = ?", in the outcome's transaction).
-- A host that wakes after its lease was taken over (a GC pause, SIGSTOP) cannot commit its stale
-- result, even if the event has been claimed again by the same host name since. Same dialect
-- rules as V1.
ALTER TABLE events ADD COLUMN claim_token BIGINT DEFAULT 0 NOT NULL;

-- A system's rate limit shared by every host on the store: one token bucket per system (a
-- vendor's limit is per account, not per Steward host). A host takes a few tokens at a time
-- (a tenth of a second's worth) under the row's lock; tokens refill by elapsed time.
CREATE TABLE rate_buckets (
    system_name VARCHAR(200)     NOT NULL PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    refilled_at BIGINT           NOT NULL
);
