-- expect: 2: CSVWRITE reads or writes files
CALL CSVWRITE('/tmp/x.csv', 'SELECT 1');
