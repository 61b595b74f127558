-- expect: 2: LO_IMPORT reads or writes files
SELECT lo_import('/etc/passwd');
