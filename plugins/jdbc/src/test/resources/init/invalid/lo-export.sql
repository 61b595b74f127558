-- expect: 2: LO_EXPORT reads or writes files
SELECT lo_export(1234, '/tmp/x');
