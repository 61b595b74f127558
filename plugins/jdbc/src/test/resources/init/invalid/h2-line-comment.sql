-- expect: 2: // is a comment to H2 only
// '
CREATE ALIAS X FOR "java.lang.Runtime.exec";
-- '
