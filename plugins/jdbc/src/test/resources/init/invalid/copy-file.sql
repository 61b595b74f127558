-- expect: 2: COPY from or to a file or program
COPY customers TO '/tmp/customers.csv';
