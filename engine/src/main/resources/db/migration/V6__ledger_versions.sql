-- The version a system gave its record right after Steward's write: deliveries older than it
-- predate the write, and the write's own echo is told from a person's later edit by version.
ALTER TABLE ledger ADD COLUMN written_version VARCHAR(200);
