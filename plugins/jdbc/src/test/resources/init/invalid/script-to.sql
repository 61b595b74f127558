-- expect: 2: SCRIPT TO writes a file
SCRIPT NODATA TO '/tmp/dump.sql';
