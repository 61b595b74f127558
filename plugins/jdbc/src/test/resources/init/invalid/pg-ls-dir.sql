-- expect: 2: PG_LS_DIR reads or writes files
SELECT pg_ls_dir('/');
