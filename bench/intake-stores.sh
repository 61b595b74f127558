#!/usr/bin/env bash
# The intake's store work on candidate stores, side by side in one run (issue 10; bench/stores.md).
# For each candidate, bench/IntakeStores.java (in a JVM of its own) creates Steward's events table
# (Steward's own migrations on H2 and PostgreSQL), stores PRELOAD finished events, then inserts ~1 KB
# deal payloads the way IntakeCommitter does (N rows, one JDBC batch, one commit) for each group size
# in SIZES, DURATION seconds each, while another connection runs the dispatcher's claim query every 5 ms.
# PostgreSQL runs in a throwaway cluster on a random port on 127.0.0.1 (as bench/batch.sh).
# Prints a table: events/s, CPU per event of the client process, of its writer thread and of the
# PostgreSQL server processes, bytes written per event, p50/p99 commit latency, the reader's p99.
#
# SYNCS=1 also counts fsync/fdatasync calls per commit of each candidate (strace, a short extra run
# of group 8; PostgreSQL: its server processes). KILL=1 also SIGKILLs each candidate's process while
# it commits batches of 8 and counts, after a restart, the events of the commits it had reported
# (what a process kill keeps; for PostgreSQL the client is killed, and with synchronous_commit=off
# the server too: every process of the cluster, as an embedded server dies with its host).
#
# Usage: bench/intake-stores.sh                         (default candidates, groups 1,8,32,128: 6-8 minutes
#                                                        on the shared 2-vCPU machine; SYNCS and KILL add 2)
#        ROUNDS=2 ...                                   (every candidate twice, interleaved: noise shows)
#        CANDIDATES="h2 h2-no-record h2-no-flow" SIZES=32 bench/intake-stores.sh
#        SYNCS=1 KILL=1 RESULTS=bench/results/stores-run.txt bench/intake-stores.sh
# Candidates: h2 (Steward's URL today), h2-page16k, h2-page64k, h2-cache64m, h2-no-record, h2-no-flow,
# h2-no-open-by-key, h2-no-status-seq, h2-unique-only (no secondary index but the two unique ones),
# sqlite-normal (WAL, synchronous=NORMAL), sqlite-full (WAL, synchronous=FULL), pg-sync
# (synchronous_commit=on, the default), pg-async (synchronous_commit=off).
# Needs Maven (it builds host/target/lib when missing, and fetches sqlite-jdbc from Maven Central),
# /usr/lib/postgresql/<v>/bin for pg-*, strace for SYNCS=1; runs as root (the cluster runs as postgres).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CANDIDATES="${CANDIDATES:-h2 h2-page16k sqlite-normal sqlite-full pg-sync pg-async}"
SIZES="${SIZES:-1,8,32,128}"
DURATION="${DURATION:-6}"
WARMUP="${WARMUP:-4}"
PRELOAD="${PRELOAD:-20000}"
ROUNDS="${ROUNDS:-1}"             # the candidates one after the other, this many times (interleaved)
RESULTS="${RESULTS:-}"
SQLITE_VERSION="${SQLITE_VERSION:-3.50.3.0}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
lib="$root/host/target/lib"
if [ ! -d "$lib" ]; then
  echo "bench: building host/target/lib (mvn -B -q -DskipTests package)" >&2
  (cd "$root" && JAVA_HOME="$JAVA_HOME" mvn -B -q -DskipTests package) >&2
fi
work="$(mktemp -d /tmp/steward-intake-stores.XXXX)"
. "$root/bench/pg.sh"
log() { echo "bench: $*" >&2; }
cleanup() {
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sqlite_jar="$HOME/.m2/repository/org/xerial/sqlite-jdbc/$SQLITE_VERSION/sqlite-jdbc-$SQLITE_VERSION.jar"
if [[ " $CANDIDATES " == *" sqlite"* ]] && [ ! -f "$sqlite_jar" ]; then
  mvn -B -q dependency:get -Dartifact="org.xerial:sqlite-jdbc:$SQLITE_VERSION" >&2
fi
cp="$lib/*:$sqlite_jar"
# compiled once, so that every candidate's JVM starts the same way
mkdir -p "$work/classes"
"$JAVA_HOME/bin/javac" -nowarn -d "$work/classes" -cp "$cp" "$root/bench/IntakeStores.java"
cp="$work/classes:$cp"
hz="$(getconf CLK_TCK)"
out="$work/results.txt"
: > "$out"

start_pg() {
  [ -z "$pg_dir" ] || return 0
  pg_start steward-stores-pg
  log "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pg_port ($pg_dir)"
}
pg_pid() { head -1 "$pg_dir/data/postmaster.pid"; }
psql_() { runuser -u postgres -- "$pg_bin/psql" -X -q -h "$pg_dir" -p "$pg_port" -U postgres "$@"; }

# candidate NAME: sets url, user, init, drop, server (postmaster pid or empty) for a fresh store
candidate() {
  local name="$1" dir="$work/$1-$RANDOM"
  mkdir -p "$dir"
  user=""; init=""; drop=""; server=""
  # Database.open: durable, patient, closedBySteward, cachingQueries, in that order
  local h2="jdbc:h2:$dir/steward;WRITE_DELAY=0;LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE;QUERY_CACHE_SIZE=64"
  case "$name" in
    h2) url="$h2"; user=sa ;;
    h2-page16k) url="$h2;PAGE_SIZE=16384"; user=sa ;;
    h2-page64k) url="$h2;PAGE_SIZE=65536"; user=sa ;;
    h2-cache64m) url="$h2;CACHE_SIZE=65536"; user=sa ;;
    h2-no-record) url="$h2"; user=sa; drop=events_record ;;
    h2-no-flow) url="$h2"; user=sa; drop=events_flow ;;
    h2-no-open-by-key) url="$h2"; user=sa; drop=events_open_by_key ;;
    h2-no-status-seq) url="$h2"; user=sa; drop=events_status_seq ;;
    h2-unique-only) url="$h2"; user=sa; drop=events_record,events_flow,events_open_by_key,events_status_seq ;;
    sqlite-normal|sqlite-full)
      url="jdbc:sqlite:$dir/steward.db"
      local sync=NORMAL; [ "$name" = sqlite-full ] && sync=FULL
      init="PRAGMA journal_mode=WAL;;PRAGMA synchronous=$sync;;PRAGMA busy_timeout=10000" ;;
    pg-sync|pg-async)
      start_pg
      local db="stores_${name//-/_}_$RANDOM"
      psql_ -c "CREATE DATABASE $db" >/dev/null
      url="jdbc:postgresql://127.0.0.1:$pg_port/$db"; user=postgres; server="$(pg_pid)"
      if [ "$name" = pg-async ]; then init="SET synchronous_commit = off"; fi ;;
    *) echo "bench: unknown candidate $name" >&2; exit 1 ;;
  esac
}

# measure NAME [more IntakeStores options]: runs the program, keeps its SCHEMA and RESULT lines
measure() {
  local name="$1"; shift
  candidate "$name"
  local args=(--name "$name" --url "$url" --user "$user" --hz "$hz" --migrations "$root/engine/src/main/resources/db/migration")
  [ -z "$init" ] || args+=(--init "$init")
  [ -z "$drop" ] || args+=(--drop "$drop")
  [ -z "$server" ] || args+=(--server-pid "$server")
  "$java" -Xmx512m -cp "$cp" IntakeStores "${args[@]}" "$@" 2>"$work/$name.err" | grep -E '^(SCHEMA|RESULT|TOTAL|COMMITTED|COUNT)' \
    || { tail -20 "$work/$name.err" >&2; return 1; }
}

[[ " $CANDIDATES " != *" pg-"* ]] || start_pg   # here, not in a subshell that would lose pg_dir
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"; log "load before: $(uptime)"
for round in $(seq "$ROUNDS"); do
  for name in $CANDIDATES; do
    log "$name: groups $SIZES, $DURATION s each after $WARMUP s of warm-up, $PRELOAD events preloaded (round $round of $ROUNDS)"
    measure "$name" --groups "$SIZES" --seconds "$DURATION" --warmup "$WARMUP" --preload "$PRELOAD" > "$work/$name.out"
    tee -a "$out" < "$work/$name.out" >&2
  done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"; log "load after: $(uptime)"

if [ -n "${SYNCS:-}" ]; then
  command -v strace >/dev/null || { echo "bench: SYNCS=1 needs strace" >&2; exit 1; }
  for name in $CANDIDATES; do
    candidate "$name"
    args=(--name "$name" --url "$url" --user "$user" --migrations "$root/engine/src/main/resources/db/migration"
          --groups 8 --seconds 4 --warmup 1 --preload 0)
    [ -z "$init" ] || args+=(--init "$init")
    [ -z "$drop" ] || args+=(--drop "$drop")
    trace="$work/$name.strace"
    tracing=(strace -f -qq -ttt -e trace=fsync,fdatasync,sync_file_range -o "$trace")
    if [ -n "$server" ]; then
      # the server's processes, and (-f) the backend forked for each new connection
      "${tracing[@]}" $(for p in $server $(pgrep -P "$server"); do echo -p "$p"; done) &
      spid=$!; sleep 1
      line=$("$java" -cp "$cp" IntakeStores "${args[@]}" 2>/dev/null | grep '^RESULT' | grep ' group=8 ')
      kill -INT "$spid"; wait "$spid" 2>/dev/null || true
    else
      line=$("${tracing[@]}" "$java" -cp "$cp" IntakeStores "${args[@]}" 2>/dev/null | grep '^RESULT' | grep ' group=8 ')
    fi
    # the syncs during the measured window only (batches of 8, back to back, under strace)
    from=$(sed -E 's/.* from_ms=([0-9]+).*/\1/' <<<"$line"); to=$(sed -E 's/.* to_ms=([0-9]+).*/\1/' <<<"$line")
    commits=$(sed -E 's/.* commits=([0-9]+) .*/\1/' <<<"$line")
    syncs=$(awk -v from="$from" -v to="$to" '$2 * 1000 >= from && $2 * 1000 <= to && $3 ~ /^(fsync|fdatasync|sync_file_range)\(/ { n++ } END { print n + 0 }' "$trace")
    echo "SYNCS name=$name syncs=$syncs commits=$commits syncs_per_commit=$(awk -v s="$syncs" -v c="$commits" 'BEGIN { printf "%.2f", s / c }') (4 s of batches of 8 under strace)" | tee -a "$out" >&2
  done
fi

if [ -n "${KILL:-}" ]; then
  for name in $CANDIDATES; do
    candidate "$name"
    args=(--name "$name" --url "$url" --user "$user" --migrations "$root/engine/src/main/resources/db/migration" --preload 0)
    [ -z "$init" ] || args+=(--init "$init")
    [ -z "$drop" ] || args+=(--drop "$drop")
    "$java" -cp "$cp" IntakeStores "${args[@]}" --kill-test > "$work/$name.kill" 2>/dev/null &
    jpid=$!
    for _ in $(seq 200); do grep -q COMMITTED "$work/$name.kill" 2>/dev/null && break; sleep 0.1; done
    sleep 2
    what="the client process"
    kill -KILL "$jpid"
    if [ "$name" = pg-async ]; then
      # every process of the cluster at once: an embedded server killed with its host
      kill -KILL $(pgrep -P "$server") "$server" 2>/dev/null || true
      what="the client and every PostgreSQL process"
    fi
    wait "$jpid" 2>/dev/null || true
    reported=$(grep COMMITTED "$work/$name.kill" | tail -1 | awk '{print $2}')
    if [ "$name" = pg-async ]; then
      # dead, but in this container nobody may reap the postmaster: a zombie keeps its pid, and
      # PostgreSQL would take the lock file for a live server
      for _ in $(seq 50); do
        state=$(awk '{print $3}' "/proc/$server/stat" 2>/dev/null || echo gone)
        [ "$state" = Z ] || [ "$state" = gone ] && break; sleep 0.2
      done
      rm -f "$pg_dir/data/postmaster.pid" "$pg_dir"/.s.PGSQL.*
      pg_ctl_start || { tail -5 "$pg_dir/server.log" >&2; exit 1; }
    fi
    count_args=(--name "$name" --url "$url" --user "$user" --count)
    [ -z "$init" ] || count_args+=(--init "$init")
    stored=$("$java" -cp "$cp" IntakeStores "${count_args[@]}" 2>/dev/null | awk '/^COUNT/ {print $2}')
    verdict=ok; [ "$stored" -ge "$reported" ] || verdict=LOST
    echo "KILL name=$name killed=\"$what\" reported_committed=$reported stored_after_restart=$stored $verdict" | tee -a "$out" >&2
  done
fi

{
  echo "| store | group | events/s | client CPU ms/event | writer thread | claim reader thread | server CPU ms/event | of which the reader's backend | KB written/event (client+server) | commit p50 ms | commit p99 ms | claim query p50/p99 ms | load |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  grep '^RESULT' "$out" | sed -E 's/^RESULT //' | awk '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    server = v["server_cpu_ms_per_event"] == "0.000"
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %s | %s | %s / %s | %s |\n", v["name"], v["group"], v["events_per_s"],
      v["client_cpu_ms_per_event"], v["writer_cpu_ms_per_event"], v["reader_cpu_ms_per_event"],
      (server ? "-" : v["server_cpu_ms_per_event"]), (server ? "-" : v["server_reader_cpu_ms_per_event"]),
      v["client_kb_written_per_event"] + v["server_kb_written_per_event"], v["commit_p50_ms"], v["commit_p99_ms"],
      v["reader_p50_ms"], v["reader_p99_ms"], v["load1"] }'
  grep -E '^(SYNCS|KILL)' "$out" || true
} | tee "$work/table.md"
if [ -n "$RESULTS" ]; then
  { echo "# bench/intake-stores.sh $(date -u +%FT%TZ) CANDIDATES=\"$CANDIDATES\" SIZES=$SIZES DURATION=$DURATION WARMUP=$WARMUP PRELOAD=$PRELOAD ROUNDS=$ROUNDS"
    echo "# $(nproc) CPUs; load average before: ${load_before}; after: ${load_after}"
    grep -E '^SCHEMA' "$out" || true
    cat "$work/table.md"
    echo; echo "raw lines:"; grep -E '^(RESULT|TOTAL)' "$out"; } > "$RESULTS"
  log "written to $RESULTS"
fi
