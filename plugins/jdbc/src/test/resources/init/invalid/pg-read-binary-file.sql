-- expect: 2: PG_READ_BINARY_FILE reads or writes files
SELECT pg_read_binary_file('/etc/passwd');
