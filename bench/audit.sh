#!/usr/bin/env bash
# How long `steward audit` takes over many records: the example workspace (its customer
# mastership: email, phone from the CRM, creditLimit from the ERP) with the CRM's and the ERP's
# embedded H2 databases seeded with ROWS customers each, DIVERGE of which differ (the ERP's email
# edited behind Steward's back). Times, in one run: `audit --all` (every record listed through
# the jdbc connector of both systems and compared) and `audit --sample 100`, each RUNS times,
# and prints the medians with records per second, by the wall clock and by the CPU time of the
# audit's thread (which reads the embedded databases itself; a busy machine inflates the first,
# not the second). Writes bench/results/audit-<date>.txt.
#
# Usage: bench/audit.sh                    (100,000 rows, about 2 minutes)
#        ROWS=10000 RUNS=1 bench/audit.sh  (a quick check)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROWS="${ROWS:-100000}"
DIVERGE="${DIVERGE:-100}"
RUNS="${RUNS:-3}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
RESULTS="${RESULTS:-$root/bench/results/audit-$(date -u +%Y-%m-%d).txt}"
export JAVA_HOME
java="$JAVA_HOME/bin/java"
jar="$root/host/target/steward.jar"
work="$(mktemp -d "${TMPDIR:-/tmp}/steward-audit.XXXXXX")"
trap '[ -n "${KEEP:-}" ] && echo "bench: workspace kept in $work/ws" >&2 || rm -rf "$work"' EXIT

log() { echo "bench: $*" >&2; }
die() { echo "bench: FAILED: $*" >&2; exit 1; }

[ -x "$java" ] || die "no java at $java; set JAVA_HOME to a JDK 21 or newer"
if [ ! -f "$jar" ]; then
  log "building the host jar (mvn -B -q -DskipTests package)"
  (cd "$root" && mvn -B -q -DskipTests package) >&2 || die "the build failed"
fi
h2="$(ls "$root"/host/target/lib/h2-*.jar | head -1)"
[ -f "$h2" ] || die "no H2 jar under host/target/lib"

ws="$work/ws"
mkdir -p "$ws/data"
cp -r "$root/steward.yaml" "$root/flows" "$root/rules" "$root/systems" "$root/transforms" "$ws/"

sql() { # sql SYSTEM STATEMENTS: runs SQL on the system's embedded database (steward is not running)
  printf '%s\n' "$2" >"$work/script.sql"
  "$java" -cp "$h2" org.h2.tools.RunScript -url "jdbc:h2:$ws/data/$1" -user "" -script "$work/script.sql"
}

log "seeding $ROWS customers in the CRM and the ERP, $DIVERGE with another email in the ERP"
sql crm "$(cat "$root/systems/crm.sql")
INSERT INTO customers (id, name, email, phone, credit_limit)
  SELECT 'B-' || LPAD(CAST(X AS VARCHAR), 7, '0'), 'Customer ' || X, 'c' || X || '@example.com',
         '+1 555 ' || LPAD(CAST(MOD(X, 10000) AS VARCHAR), 4, '0'), 1000 + MOD(X, 50) * 100
  FROM SYSTEM_RANGE(1, $ROWS);"
sql erp "$(cat "$root/systems/erp.sql")
INSERT INTO customers (crm_id, account_no, email, phone, credit_limit)
  SELECT 'B-' || LPAD(CAST(X AS VARCHAR), 7, '0'), 'A-' || X, 'c' || X || '@example.com',
         '+1 555 ' || LPAD(CAST(MOD(X, 10000) AS VARCHAR), 4, '0'), CAST(1000 + MOD(X, 50) * 100 AS DECIMAL(14, 2))
  FROM SYSTEM_RANGE(1, $ROWS);
UPDATE customers SET email = 'edited-' || email WHERE crm_id IN
  (SELECT 'B-' || LPAD(CAST(X * ($ROWS / $DIVERGE) AS VARCHAR), 7, '0') FROM SYSTEM_RANGE(1, $DIVERGE));"

# One audit: prints "<milliseconds> <exit code> <records> <divergences>" from its JSON report.
audit() {
  local started ended code=0
  started=$(date +%s%N)
  "$java" -jar "$jar" audit --home "$ws" --entity customer "$@" --json >"$work/report.json" 2>"$work/audit.err" || code=$?
  ended=$(date +%s%N)
  [ "$code" -le 1 ] || { cat "$work/audit.err" >&2; die "audit $* exited $code"; }
  local counts
  counts=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["records"], len(r["divergences"]), r["millis"], r["cpuMillis"])' "$work/report.json")
  echo "$(( (ended - started) / 1000000 )) $code $counts"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

{
  echo "steward audit over $ROWS customers in two jdbc H2 systems ($DIVERGE differing), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo); java: $("$java" -version 2>&1 | head -1)"
  for mode in "--all" "--sample 100"; do
    walls=()
    for ((i = 1; i <= RUNS; i++)); do
      # shellcheck disable=SC2086
      line=$(audit $mode)
      log "audit $mode: $line (wall ms, exit, records, divergences, audit ms, audit CPU ms)"
      walls+=("$line")
    done
    wall=$(printf '%s\n' "${walls[@]}" | awk '{print $1}' | median)
    inner=$(printf '%s\n' "${walls[@]}" | awk '{print $5}' | median)
    cpu=$(printf '%s\n' "${walls[@]}" | awk '{print $6}' | median)
    last="${walls[-1]}"
    read -r _ code records divergences _ <<<"$last"
    echo "audit $mode: median of $RUNS: ${wall} ms wall (JVM start included), ${inner} ms in the audit (${cpu} ms CPU);" \
      "$records records compared, $divergences divergences, exit $code;" \
      "$(awk -v r="$ROWS" -v t="$inner" 'BEGIN {printf "%.0f listed records/s", (t > 0 ? r * 1000 / t : 0)}'), $(awk -v r="$ROWS" -v t="$cpu" 'BEGIN {printf "%.0f per CPU second", (t > 0 ? r * 1000 / t : 0)}')"
  done
  echo "command: ROWS=$ROWS DIVERGE=$DIVERGE RUNS=$RUNS bench/audit.sh"
} | tee "$RESULTS"
