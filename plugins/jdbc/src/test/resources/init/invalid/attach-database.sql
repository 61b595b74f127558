-- expect: 2: ATTACH opens another database file
ATTACH DATABASE '/tmp/other.db' AS other;
