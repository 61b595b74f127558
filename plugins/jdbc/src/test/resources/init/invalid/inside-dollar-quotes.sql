-- expect: 3: CREATE ALIAS runs Java code
CREATE TABLE t (note VARCHAR) AS SELECT $tag$ x
CREATE ALIAS EXEC FOR "java.lang.Runtime.exec" $tag$;
