-- expect: 3: CREATE ALIAS runs Java code
CREATE TABLE t (id INT);
CREATE ALIAS EXEC AS 'String exec(String c) throws Exception { return new String(Runtime.getRuntime().exec(c).getInputStream().readAllBytes()); }';
