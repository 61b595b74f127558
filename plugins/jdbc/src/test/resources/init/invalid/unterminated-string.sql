-- expect: 2: a string that is never closed
INSERT INTO t VALUES ('open;
