-- claim(): walk due events of one status in seq order without sorting the whole backlog.
CREATE INDEX events_status_seq ON events (status, seq);
