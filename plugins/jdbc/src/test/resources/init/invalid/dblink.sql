-- expect: 2: DBLINK connects to another database
SELECT * FROM dblink('host=127.0.0.1', 'select 1') AS t(x int);
