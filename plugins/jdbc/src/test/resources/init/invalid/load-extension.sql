-- expect: 2: LOAD_EXTENSION loads native code
SELECT load_extension('/tmp/evil.so');
