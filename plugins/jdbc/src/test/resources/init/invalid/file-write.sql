-- expect: 2: FILE_WRITE reads or writes files
SELECT FILE_WRITE('x', '/tmp/pwned');
