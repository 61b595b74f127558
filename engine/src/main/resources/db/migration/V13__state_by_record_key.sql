-- The run path reads and locks what it needs for a whole batch of records at once:
-- "... WHERE record_key IN (...)". The existing indexes lead with the system or the entity, so
-- both databases scanned every row of the entity (or the table) and tested it against the list;
-- these lead with the record key.
CREATE INDEX events_open_by_key ON events (record_key, status);
CREATE INDEX known_values_by_key ON known_values (record_key, entity);
CREATE INDEX recent_writes_by_key ON recent_writes (record_key, entity);
-- The flip-flop breaker's history now comes from recent_writes; nothing reads the whole
-- ledger by field any more, and every write had to update this index.
DROP INDEX writes_field;
