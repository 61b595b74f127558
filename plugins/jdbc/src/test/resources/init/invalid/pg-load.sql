-- expect: 2: LOAD loads native code
LOAD '/tmp/evil.so';
