-- expect: 2: VACUUM INTO writes a file
VACUUM INTO '/tmp/copy.db';
