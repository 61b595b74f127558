-- Claims and the backlog's age walk events by (status, seq) (events_status_seq, V4); nothing reads
-- events_status_next any more, and every change of an event's status had to update it.
DROP INDEX events_status_next;
