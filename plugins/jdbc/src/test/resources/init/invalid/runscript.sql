-- expect: 2: RUNSCRIPT runs another script
RUNSCRIPT FROM 'http://127.0.0.1:9/x.sql';
