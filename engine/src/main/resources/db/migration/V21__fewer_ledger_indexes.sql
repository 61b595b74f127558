-- Every run that writes adds one row per field written to writes and to recent_writes, and each
-- index of those tables is one more B-tree entry to find, insert and write out with the run's
-- commit (in profiles, the ledger's inserts were about 40% of the outcome commit). Same dialect
-- rules as V1.
--
-- Nothing reads the ledger by event id (writes_event): the API and the flip-flop breaker read a
-- record's writes by system, entity and key (writes_record).
DROP INDEX writes_event;
-- recent_writes had two indexes for two ways to look up one record's rows: by system, entity,
-- key and field (an echo, a record's recent writes) and by key (a batch of records' state). One
-- index that leads with the key serves both: the batch's "record_key IN (...)" and the echo's
-- equalities on all five columns.
CREATE INDEX recent_writes_record ON recent_writes (record_key, entity, system_name, field, seq);
DROP INDEX recent_writes_field;
DROP INDEX recent_writes_by_key;
