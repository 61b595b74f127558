#!/usr/bin/env bash
# The dispatcher's claim query on PostgreSQL against a history of finished events and a pending
# backlog, with stale and with fresh statistics (issue 10; bench/pgclaim.md). A throwaway cluster
# (bench/pg.sh), Steward's migrations applied with psql, the rows made with generate_series:
#   HISTORY finished events (SUCCEEDED) over KEYS record keys, ANALYZE (the statistics a store
#   has after its history: nothing pending), then BACKLOG pending events over the same keys, the
#   first RUNNING of them (distinct keys) claimed with a live lease, as workers hold them.
# Then, for each query (the candidates query as Claims runs it on H2 and, before this branch, on
# PostgreSQL; and the one Claims runs on PostgreSQL now), EXPLAIN (ANALYZE, BUFFERS) and the
# median of REPEAT timed runs: with the stale statistics, then after ANALYZE events.
# Usage: bench/pgclaim-plan.sh                    (HISTORY=20000 BACKLOG=30000 KEYS=5000 RUNNING=64)
#        HISTORY=200000 BACKLOG=100000 RESULTS=bench/results/pgclaim-plan-big.txt bench/pgclaim-plan.sh
#        NEVER_ANALYZED=1 ...                     (no ANALYZE before the backlog: no statistics at all)
#        INDEX=0 QUERIES=old ...                  (as before this branch: no partial indexes, the old query only)
#        QUERIES="old new oldest" ...             (oldest: Store.oldestDue's query on PostgreSQL, Claims.PG_OLDEST_DUE;
#                                                 old_lock old_read new_lock new_lock_runs new_read new_read_runs:
#                                                 the claim's locks and fresh read, before and after;
#                                                 mark: the claim's compare-and-set of one event, rolled back)
# bench/pgclaim-before-after.sh runs it both ways on the same rows.
# Runs as root (the cluster runs as postgres); needs /usr/lib/postgresql/<v>/bin.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HISTORY="${HISTORY:-20000}"; BACKLOG="${BACKLOG:-30000}"; KEYS="${KEYS:-5000}"; RUNNING="${RUNNING:-64}"
REPEAT="${REPEAT:-15}"; LIMIT="${LIMIT:-128}"; RESULTS="${RESULTS:-}"; NEVER_ANALYZED="${NEVER_ANALYZED:-0}"
INDEX="${INDEX:-1}"; QUERIES="${QUERIES:-old new}"
. "$root/bench/pg.sh"
trap pg_stop EXIT
trap 'exit 130' INT TERM
pg_start steward-pgclaim
psql_() { runuser -u postgres -- "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$pg_dir" -p "$pg_port" -U postgres "$@"; }
for f in $(ls "$root/engine/src/main/resources/db/migration/" | sort -t_ -k1.2 -n); do
  psql_ -f "$root/engine/src/main/resources/db/migration/$f" >/dev/null
done
java_string() { # NAME: the string constant NAME of Claims.java, its literals joined (a List.of: one per line)
  python3 - "$1" "$root/engine/src/main/java/dev/steward/store/Claims.java" <<'PY'
import re, sys
name, path = sys.argv[1], sys.argv[2]
text = open(path).read()
m = re.search(r"static final [^=]*\b" + name + r"\s*=(.*?);\n", text, re.S)
if not m:
    sys.exit(0)
def value(name):
    m = re.search(r"static final [^=]*\b" + name + r"\s*=(.*?);\n", text, re.S)
    parts, current = [], ""
    for token in re.finditer(r'"((?:[^"\\]|\\.)*)"|(,)|\b([A-Z][A-Z_]+)\b', m.group(1)):
        if token.group(2):
            parts.append(current); current = ""
        elif token.group(3):
            current += value(token.group(3))[0]  # another constant of the class
        else:
            current += token.group(1)
    return parts + [current]
parts = value(name)
print("\n".join(p for p in parts if p))
PY
}
# what Database.open adds on PostgreSQL (Claims.POSTGRES_INDEXES), unless INDEX=0
if [ "$INDEX" = 1 ]; then
  while IFS= read -r ddl; do [ -z "$ddl" ] || psql_ -c "$ddl"; done <<< "${INDEX_DDL:-$(java_string POSTGRES_INDEXES)}"
fi
# stale statistics stay stale while we look
psql_ -c "ALTER TABLE events SET (autovacuum_enabled = false)"
now=$(( $(date +%s) * 1000 ))
psql_ <<SQL
INSERT INTO events (id, flow_id, delivery_id, entity, record_key, payload, status, attempts, received_at,
                    next_attempt_at, finished_at)
SELECT 'evt_h' || i, 'deals', 'd_h' || i, 'deal', 'k' || (hashint4(i) & 2147483647) % $KEYS,
       repeat(md5(i::text), 32), 'SUCCEEDED', 1, $now - 1000000 + i, $now - 1000000 + i, $now - 1000
FROM generate_series(1, $HISTORY) i;
SQL
if [ "$NEVER_ANALYZED" != 1 ]; then psql_ -c "VACUUM ANALYZE events"; fi
psql_ <<SQL
INSERT INTO events (id, flow_id, delivery_id, entity, record_key, payload, status, attempts, received_at,
                    next_attempt_at)
SELECT 'evt_p' || i, 'deals', 'd_p' || i, 'deal', 'k' || (hashint4(-i) & 2147483647) % $KEYS,
       repeat(md5((-i)::text), 32), 'PENDING', 0, $now - 100000 + i, $now - 100000 + i
FROM generate_series(1, $BACKLOG) i;
-- workers hold the first event of RUNNING keys
UPDATE events SET status = 'RUNNING', attempts = 1, claimed_by = 'w', lease_until = $now + 600000, claim_token = 1
WHERE seq IN (SELECT min(seq) FROM events WHERE status = 'PENDING' GROUP BY record_key ORDER BY min(seq) LIMIT $RUNNING);
SQL
# the queries, as the Java strings are (? bound in order: now, now, limit)
old_blocked=" AND NOT EXISTS (SELECT 1 FROM events p WHERE p.entity = e.entity AND p.record_key = e.record_key AND p.seq <> e.seq AND ((p.seq < e.seq AND p.status IN ('PENDING', 'RUNNING')) OR (p.status = 'RUNNING' AND p.lease_until > ?)))"
old="SELECT e.id, e.entity, e.record_key, e.seq FROM events e WHERE e.status = 'PENDING' AND e.next_attempt_at <= ?$old_blocked ORDER BY e.status, e.seq LIMIT ?"
new="${NEW_QUERY:-$(java_string PG_PENDING_CANDIDATES)}"
oldest="$(java_string PG_OLDEST_DUE)"
# the claim's transaction (Claims.claimAll) for the record keys of the first LIMIT/2 pending events, as a
# claim of LIMIT/2 events finds them: its locks and its fresh read, before (every open event of each record)
# and after (on PostgreSQL: open events up to the last candidate, and the records' runs)
keys="$(psql_ -At -c "SELECT string_agg(quote_literal(record_key), ', ') FROM (SELECT record_key FROM events WHERE status = 'PENDING' ORDER BY seq LIMIT $((LIMIT / 2))) k")"
up_to="$(psql_ -At -c "SELECT max(seq) FROM (SELECT seq FROM events WHERE status = 'PENDING' ORDER BY seq LIMIT $((LIMIT / 2))) k")"
columns="id, seq, flow_id, delivery_id, entity, record_key, payload, status, attempts, received_at, next_attempt_at, finished_at, trace, last_error, lease_until, claim_token"
old_lock="SELECT seq FROM events WHERE record_key IN ($keys) AND status IN ('PENDING', 'RUNNING') ORDER BY seq FOR UPDATE SKIP LOCKED"
old_read="SELECT $columns FROM events WHERE record_key IN ($keys) AND status IN ('PENDING', 'RUNNING') ORDER BY seq"
new_lock="SELECT seq FROM events WHERE entity IN ('deal') AND record_key IN ($keys) AND status IN ('PENDING', 'RUNNING') AND seq <= $up_to ORDER BY seq FOR UPDATE SKIP LOCKED"
new_lock_runs="SELECT seq FROM events WHERE entity IN ('deal') AND record_key IN ($keys) AND status = 'RUNNING' AND seq > $up_to ORDER BY seq FOR UPDATE SKIP LOCKED"
new_read="SELECT $columns FROM events WHERE entity IN ('deal') AND record_key IN ($keys) AND status IN ('PENDING', 'RUNNING') AND seq <= $up_to ORDER BY seq"
# the claim's compare-and-set of one event (Claims.MARK_RUNNING), the 1000th pending one
mark_id="$(psql_ -At -c "SELECT id FROM events WHERE status = 'PENDING' ORDER BY seq OFFSET 999 LIMIT 1")"
mark="UPDATE events SET status = 'RUNNING', claimed_by = 'w', lease_until = $now, attempts = attempts + 1, claim_token = claim_token + 1 WHERE id = '$mark_id' AND status = 'PENDING' AND attempts = 0 AND claim_token = 0"
new_read_runs="SELECT $columns FROM events WHERE entity IN ('deal') AND record_key IN ($keys) AND status = 'RUNNING' AND seq > $up_to ORDER BY seq"
bind() { # SQL: ? -> now, now, limit
  local q="$1"; q="${q/\?/$now}"; q="${q/\?/$now}"; q="${q/\?/$LIMIT}"; printf '%s' "$q"
}
explain() { # OPTIONS SQL: EXPLAIN it; an UPDATE in a transaction rolled back
  printf 'BEGIN;\nEXPLAIN %s %s;\nROLLBACK;\n' "$1" "$2" | psql_ -At
}
report() {
  echo "## $1"
  psql_ -At -c "SELECT 'rows: ' || count(*) || ', pending ' || count(*) FILTER (WHERE status = 'PENDING') || ', running ' || count(*) FILTER (WHERE status = 'RUNNING') || '; planner thinks pending: ' || (SELECT coalesce(max(v), 'not in the statistics') FROM (SELECT (most_common_freqs[array_position(most_common_vals::text::text[], 'PENDING')])::text v FROM pg_stats WHERE tablename = 'events' AND attname = 'status') s) FROM events"
  for which in $QUERIES; do
    [ -z "${!which}" ] && continue
    local q; q="$(bind "${!which}")"
    echo "### $which query: EXPLAIN (ANALYZE, BUFFERS)"
    explain "(ANALYZE, BUFFERS)" "$q" | grep -v '^ *Filter\|Rows Removed' || true
    local times
    times=$(for _ in $(seq "$REPEAT"); do explain "(ANALYZE, TIMING OFF, SUMMARY ON)" "$q" | sed -n 's/Execution Time: \(.*\) ms/\1/p'; done | sort -n)
    echo "### $which query: execution ms over $REPEAT runs: min $(echo "$times" | head -1), median $(echo "$times" | sed -n "$(( (REPEAT + 1) / 2 ))p"), max $(echo "$times" | tail -1)"
    [ "$which" = mark ] && continue # an UPDATE, rolled back
    echo "### $which query: rows $(psql_ -At -c "SELECT count(*) FROM ($q) x")"
    [[ "$which" == *_* ]] && continue # the claim's statements: literals here, no generic plan to look at
    # JDBC prepares a statement on the server from its fifth run; PostgreSQL may then keep a generic plan
    local p="${!which}"; p="${p/\?/\$1}"; p="${p/\?/\$2}"; p="${p/\?/\$3}"
    echo "### $which query, generic plan (plan_cache_mode = force_generic_plan): $(psql_ -At <<SQL | sed -n 's/Execution Time: \(.*\)/\1/p'
SET plan_cache_mode = force_generic_plan;
PREPARE claim(bigint, bigint, int) AS $p;
EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) EXECUTE claim($now, $now, $LIMIT);
SQL
)"
  done
}
{
  echo "# bench/pgclaim-plan.sh $(date -u '+%F %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}')"
  echo "# HISTORY=$HISTORY BACKLOG=$BACKLOG KEYS=$KEYS RUNNING=$RUNNING LIMIT=$LIMIT NEVER_ANALYZED=$NEVER_ANALYZED INDEX=$INDEX QUERIES='$QUERIES'; Filter lines left out"
  echo "# old: the candidates query before this branch (Claims.PENDING_CANDIDATES, still H2's); new: Claims.PG_PENDING_CANDIDATES"
  echo "# indexes: $(psql_ -At -c "SELECT string_agg(indexname, ', ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'events'")"
  report "stale statistics ($([ "$NEVER_ANALYZED" = 1 ] && echo 'never analyzed' || echo 'analyzed after the history, before the backlog'))"
  psql_ -c "ANALYZE events"
  report "after ANALYZE events"
} | tee ${RESULTS:+"$RESULTS"}
