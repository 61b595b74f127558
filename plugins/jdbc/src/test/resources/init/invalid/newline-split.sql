-- expect: 3: CREATE ALIAS runs Java code
CREATE TABLE t (id INT);
create -- a comment
  force
  alias EXEC FOR "java.lang.Runtime.exec";
