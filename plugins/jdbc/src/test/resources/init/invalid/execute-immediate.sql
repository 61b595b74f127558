-- expect: 2: EXECUTE IMMEDIATE runs SQL that cannot be checked
EXECUTE IMMEDIATE 'CREATE ALIAS X FOR ' || '"java.lang.Runtime.exec"';
