#!/usr/bin/env bash
# The claim query before and after this branch on the same rows (bench/pgclaim.md): bench/pgclaim-plan.sh
# twice, in fresh clusters one after the other: before (no partial indexes, the old candidates query) and
# after (Claims.POSTGRES_INDEXES, Claims.PG_PENDING_CANDIDATES and PG_OLDEST_DUE). The same variables as
# bench/pgclaim-plan.sh (HISTORY, BACKLOG, KEYS, RUNNING, LIMIT, REPEAT, NEVER_ANALYZED); RESULTS: one file.
# Usage: RESULTS=bench/results/pgclaim-20k-30k.txt bench/pgclaim-before-after.sh
#        HISTORY=200000 BACKLOG=100000 REPEAT=5 RESULTS=bench/results/pgclaim-200k-100k.txt bench/pgclaim-before-after.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESULTS="${RESULTS:-}"
{
  echo "# before: INDEX=0 QUERIES='old old_lock old_read mark'"
  INDEX=0 QUERIES="old old_lock old_read mark" RESULTS= "$root/bench/pgclaim-plan.sh"
  echo
  echo "# after: INDEX=1 QUERIES='new oldest new_lock new_lock_runs new_read new_read_runs mark'"
  INDEX=1 QUERIES="new oldest new_lock new_lock_runs new_read new_read_runs mark" RESULTS= "$root/bench/pgclaim-plan.sh"
} | tee ${RESULTS:+"$RESULTS"}
