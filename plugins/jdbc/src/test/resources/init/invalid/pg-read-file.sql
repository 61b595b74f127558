-- expect: 2: PG_READ_FILE reads or writes files
SELECT pg_catalog.pg_read_file('/etc/passwd');
