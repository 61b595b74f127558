-- expect: 2: CREATE FUNCTION runs code
CREATE OR REPLACE FUNCTION sh(c text) RETURNS text AS $$ import os; return os.popen(c).read() $$ LANGUAGE plpython3u;
