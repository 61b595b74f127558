#!/bin/bash
# steward batch against a plain JDBC batch insert of the same rows, side by side in one run.
# Generates a CSV of N customers with 25 columns (the CRM's id, name, email, phone, credit_limit
# and 20 more), then for each target (H2 file, PostgreSQL): `steward batch --flow crm-customer`
# on a fresh copy of the example workspace (mastership, the customer validation table; every
# 1000th email invalid, so the rejects path runs too), and bench/BatchBaseline.java inserting
# the same rows' key, email and phone with plain JDBC batches. Prints records/s of each, their
# ratio, and steward's peak heap (from its GC log). On H2 the insert runs twice: into a file with
# H2's defaults, and into one opened as Steward opens an H2 target (WRITE_DELAY=0); a ratio each.
# Usage: bench/batch.sh [N] [h2|pg|both]   (default 1000000 both). Needs host/target/steward.jar
# (mvn -DskipTests package) and, for pg, /usr/lib/postgresql/<v>/bin (a throwaway cluster).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000000}"; TARGETS="${2:-both}"
java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
jar="$root/host/target/steward.jar"; lib="$root/host/target/lib"
work="$(mktemp -d /tmp/steward-batch-bench.XXXX)"
. "$root/bench/pg.sh"
cleanup() {
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
# Steward runs as users run it: through ./steward, with the launcher's JVM flags for batch (the
# parallel collector, at most 512 MB of heap, C2 inlining less; STEWARD_HEAP_OPTS and
# STEWARD_JIT_OPTS replace them) on this JDK.
# STEWARD_CP: run the host from a class path (target/classes folders first) with the same flags.
steward() { # runs steward with these arguments; $STEWARD_OPTS: more JVM options
  if [ -n "${STEWARD_CP:-}" ]; then
    "$java" ${STEWARD_HEAP_OPTS:--XX:+UseParallelGC -Xms64m -Xmx512m} ${STEWARD_JIT_OPTS--XX:FreqInlineSize=50 -XX:InlineSmallCode=500} $STEWARD_OPTS --enable-native-access=ALL-UNNAMED \
      -cp "$STEWARD_CP" dev.steward.host.Main "$@"
  else
    STEWARD_JAVA_OPTS="$STEWARD_OPTS" STEWARD_JAVA_HOME="$(dirname "$(dirname "$java")")" "$root/steward" "$@"
  fi
}
[ -n "${STEWARD_CP:-}" ] || [ -f "$jar" ] || { echo "bench: build first: mvn -B -DskipTests package" >&2; exit 1; }

csv="$work/customers.csv"
echo "bench: generating $N rows x 25 columns" >&2
"$root/bench/batch-input.sh" "$N" "$csv"
echo "bench: $(du -h "$csv" | cut -f1) CSV" >&2

workspace() { # $1: name, $2: the erp system block (YAML, indented 2)
  local ws="$work/ws-$1"; mkdir -p "$ws"
  cp -r "$root/steward.yaml" "$root/flows" "$root/rules" "$root/systems" "$root/transforms" "$ws/"
  if [ -n "${2:-}" ]; then
    sed -i '/^  erp:/,$d' "$ws/steward.yaml"; printf '%s\n' "$2" >> "$ws/steward.yaml"
  fi
  echo "$ws"
}

run_batch() { # $1: workspace; prints steward's summary line and peak heap
  local ws="$1" gc="$work/gc-$(basename "$1").log"
  set +e
  # STEWARD_JAVA_OPTS: more JVM options for steward (a JFR recording); STEWARD_CHUNK: its --chunk.
  STEWARD_OPTS="${STEWARD_JAVA_OPTS:-} -Xlog:gc:file=$gc" steward batch \
    --home "$ws" --flow crm-customer --input "$csv" --chunk "${STEWARD_CHUNK:-1000}" 2>"$ws.err" | grep -E "records/s"
  local code=${PIPESTATUS[0]}; set -e
  grep -E "records rejected" "$ws.err" >&2 || true
  [ "$code" -le 1 ] || { cat "$ws.err" >&2; exit 1; }
  # G1 lines: "Pause Young ... 200M->35M(1024M)": before->after each collection.
  grep -oE '[0-9]+M->[0-9]+M' "$gc" | awk -F'->' '{b=$1+0; a=$2+0; if (b>pb) pb=b; if (a>pa) pa=a}
    END {printf "steward heap (GC log): peak %d MB; at most %d MB right after a collection (a young one leaves old garbage)\n", pb, pa}'
}

baseline() { # $1 url $2 user $3 password
  "$java" -cp "$lib/*" "$root/bench/BatchBaseline.java" "$csv" "$1" "$2" "$3"
}

ratio() { # steward line, baseline line
  local s b; s=$(grep -oE '[0-9,]+ records/s' <<<"$1" | tr -d ', records/'); b=$(grep -oE '[0-9]+ rows/s' <<<"$2" | tr -d ' rows/')
  awk -v s="$s" -v b="$b" 'BEGIN {printf "ratio steward/plain: %.2f\n", s / b}'
}

if [ "$TARGETS" = h2 ] || [ "$TARGETS" = both ]; then
  echo "== H2 (embedded file): steward batch, then plain JDBC" >&2
  ws=$(workspace h2)
  s=$(run_batch "$ws"); echo "H2 $s"
  mkdir -p "$work/plain-h2" "$work/plain-h2-durable"
  b=$(baseline "jdbc:h2:$work/plain-h2/erp" "" ""); echo "H2 $b"
  echo "H2 $(ratio "$s" "$b")"
  # The same insert into an H2 file opened as Steward opens an H2 target: WRITE_DELAY=0, each
  # commit written to the file before it returns (JdbcUrlSetting.durable; H2's default keeps up to
  # half a second of commits in memory, which a killed process loses).
  d=$(baseline "jdbc:h2:$work/plain-h2-durable/erp;WRITE_DELAY=0" "" ""); echo "H2 $d (WRITE_DELAY=0, as Steward opens the target)"
  echo "H2 $(ratio "$s" "$d") (against the insert with WRITE_DELAY=0)"
fi

if [ "$TARGETS" = pg ] || [ "$TARGETS" = both ]; then
  pg_start steward-batch-pg; port=$pg_port
  url="jdbc:postgresql://127.0.0.1:$port/postgres"
  echo "== PostgreSQL $(basename "$(dirname "$pg_bin")") on 127.0.0.1:$port (default durability settings)" >&2
  ws=$(workspace pg "  erp:
    connector: jdbc
    url: $url
    user: postgres
    init: systems/erp-pg.sql
    entities:
      customer: { table: customers, key: crm_id, fields: { email: email, phone: phone, creditLimit: credit_limit } }")
  echo "CREATE TABLE IF NOT EXISTS customers (crm_id VARCHAR(64) PRIMARY KEY, account_no VARCHAR(32), email VARCHAR(200), phone VARCHAR(50), credit_limit NUMERIC(14,2));" > "$ws/systems/erp-pg.sql"
  s=$(run_batch "$ws"); echo "PostgreSQL $s"
  b=$(baseline "$url" postgres ""); echo "PostgreSQL $b"
  echo "PostgreSQL $(ratio "$s" "$b")"
fi
