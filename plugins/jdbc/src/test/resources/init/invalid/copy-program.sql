-- expect: 2: COPY from or to a file or program
COPY customers FROM PROGRAM 'curl http://127.0.0.1:9/x | sh';
