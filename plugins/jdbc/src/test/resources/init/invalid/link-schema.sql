-- expect: 2: LINK_SCHEMA connects to another database
CALL LINK_SCHEMA('X', '', 'jdbc:h2:/tmp/other', 'sa', '', 'PUBLIC');
