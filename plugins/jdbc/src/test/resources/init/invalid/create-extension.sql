-- expect: 2: CREATE EXTENSION loads native code
CREATE EXTENSION IF NOT EXISTS dblink;
