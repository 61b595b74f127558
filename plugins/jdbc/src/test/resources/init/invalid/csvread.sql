-- expect: 2: CSVREAD reads or writes files
CREATE TABLE t AS SELECT * FROM CsvRead('/etc/passwd');
