#!/usr/bin/env bash
# Several Steward hosts on one PostgreSQL: the figures of bench/multihost.md, on 127.0.0.1 only.
# Starts a throwaway PostgreSQL cluster, then bench/MultiHost.java runs, one after the other:
#   claims    the claim transaction alone, one claimer against three at once (added latency);
#   hosts     runs per second end to end with 1, 2 and 3 real `steward serve` processes, and the
#             CPU each part used (what limits it);
#   takeover  the time until a SIGKILLed host's runs are all claimed by another (store.lease 5s).
# Needs the packaged jar (./steward build, or mvn -DskipTests package). A few minutes.
#
# Usage: bench/multihost.sh                 EVENTS=1500 CLAIM_EVENTS=5000 TAKEOVERS=2
#        HOSTS="1 3" bench/multihost.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java"
jar="$root/host/target/steward.jar"
EVENTS="${EVENTS:-1500}"
CLAIM_EVENTS="${CLAIM_EVENTS:-5000}"
TAKEOVERS="${TAKEOVERS:-2}"
HOSTS="${HOSTS:-1 2 3}"
[ -f "$jar" ] || { echo "no $jar: build first (mvn -B -q -DskipTests package)" >&2; exit 1; }
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server binaries; set PG_BIN" >&2; exit 1; }

pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/steward-multihost-pg.XXXXXX")"
as=()
if [ "$(id -u)" = 0 ]; then chown postgres "$pg_dir"; as=(runuser -u postgres --); fi
cleanup() {
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap cleanup EXIT
pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"${as[@]}" "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --no-sync >"$pg_dir/initdb.out" 2>&1
# Synchronous commits (a webhook's 202 waits for its commit), as a production server would have.
"${as[@]}" "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
export PG_PID="$(head -1 "$pg_dir/data/postmaster.pid")"
url="jdbc:postgresql://127.0.0.1:$pg_port/postgres"
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $("$java" -version 2>&1 | head -1);" \
  "PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }')"
cp_="$jar:$root/host/target/lib/*"
"$java" -cp "$cp_" "$root/bench/MultiHost.java" "$url" "$jar" claims "$CLAIM_EVENTS" 2>/dev/null
# shellcheck disable=SC2086
"$java" -cp "$cp_" "$root/bench/MultiHost.java" "$url" "$jar" hosts "$EVENTS" $HOSTS 2>/dev/null
"$java" -cp "$cp_" "$root/bench/MultiHost.java" "$url" "$jar" takeover "$TAKEOVERS" 2>/dev/null
