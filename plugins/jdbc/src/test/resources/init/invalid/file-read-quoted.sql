-- expect: 3: FILE_READ reads or writes files
CREATE TABLE t (id INT, body BLOB);
INSERT INTO t VALUES (1, "file_read"('/etc/passwd'));
