-- expect: 2: CREATE ALIAS runs Java code
cReAtE /* harmless */ ALIAS EXEC FOR "java.lang.Runtime.exec";
