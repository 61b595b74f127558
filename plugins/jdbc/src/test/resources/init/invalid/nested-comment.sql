-- expect: 2: a block comment inside a block comment
/* /* */ ' */ CREATE ALIAS X FOR "java.lang.Runtime.exec"; -- '
