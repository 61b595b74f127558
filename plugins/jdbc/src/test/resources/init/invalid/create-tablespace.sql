-- expect: 2: CREATE TABLESPACE writes a folder on the database host
CREATE TABLESPACE evil LOCATION '/var/lib/postgresql/x';
