-- expect: 2: a backslash in an E'...' string
SELECT E'\'; CREATE ALIAS X FOR "java.lang.Runtime.exec"; --';
