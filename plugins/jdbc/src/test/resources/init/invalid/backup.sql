-- expect: 2: BACKUP writes a file
BACKUP TO '/tmp/backup.zip';
