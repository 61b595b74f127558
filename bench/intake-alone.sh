#!/usr/bin/env bash
# The webhook intake alone, with a JFR profile: bench/e2e-workspace's Steward (H2, or PostgreSQL
# with BENCH_STORE_URL) whose sink accepts TCP connections and never answers, so that the
# workers hold their slots waiting and use next to no CPU; then wrk as bench/e2e.sh loads it.
# Prints req/s, p50/p99 and the server's CPU per accepted request (ms of CPU time, from
# /proc/PID/stat over the measured window), and with JFR=FILE writes a JFR recording of the measured window.
#
# Usage: WARMUP=15 DURATION=15 JFR=/tmp/intake.jfr bench/intake-alone.sh   (JFR: a profile of the
#        measured window, started and stopped with jcmd)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WARMUP="${WARMUP:-15}"
DURATION="${DURATION:-15}"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-32}"
KEYS="${KEYS:-5000}"
JFR="${JFR:-}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA_OPTS="${JAVA_OPTS:-}"
export JAVA_HOME
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-$(openssl rand -hex 32)}"
auth="Authorization: Bearer $STEWARD_ADMIN_TOKEN"
jar="${JAR:-$root/host/target/steward.jar}"   # JAR: another build to measure (its lib/ beside it)
java="$JAVA_HOME/bin/java"
work="$(mktemp -d "${TMPDIR:-/tmp}/steward-intake-alone.XXXXXX")"
hook_path="crm/deal"
payload="deal"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
need_tool wrk wrk
[ -n "${JAR:-}" ] || "$root/steward" --version >/dev/null || die "could not build $jar"

# threads_cpu PID: "ticks name" per thread of PID (utime + stime; the name as the kernel keeps it,
# digits folded to N so that a pool's threads add up)
threads_cpu() {
  local f
  for f in /proc/"$1"/task/*/stat; do
    cat "$f" 2>/dev/null || true
  done | awk '{ match($0, /\(.*\)/); name = substr($0, RSTART + 1, RLENGTH - 2); rest = substr($0, RSTART + RLENGTH + 1)
    split(rest, f, " "); gsub(/[0-9]+/, "N", name); t[name] += f[12] + f[13] } END { for (n in t) print t[n], n }'
}

# the stalled sink: a listening socket nobody accepts from (the kernel completes the handshakes)
sink_port=""
for i in $(seq 100); do
  p=$((20000 + RANDOM % 40000))
  if [ -z "$(ss -Htln "sport = :$p")" ]; then sink_port="$p"; break; fi
done
python3 -c "import socket,time; s=socket.socket(); s.bind(('127.0.0.1',$sink_port)); s.listen(4096); time.sleep(100000)" &
pids+=("$!")
export BENCH_SINK_URL="http://127.0.0.1:$sink_port"

ws="$work/ws"
mkdir -p "$ws"
cp -r "$root/bench/e2e-workspace/." "$ws/"
start steward "$ws" serve --home "$ws" --port 0
pid="$started_pid"; port="$started_port"
log "ready in $started_ms ms on port $port; warming up for $WARMUP s"
load steward "$port" "$WARMUP" warmup "$pid" >/dev/null
# the profile covers the measured window only (not the start-up or the warm-up)
[ -z "$JFR" ] || "$JAVA_HOME/bin/jcmd" "$pid" JFR.start name=intake settings=profile >/dev/null
c0="$(process_ticks "$pid")"
threads_cpu "$pid" >"$work/threads0.txt"
bench="$(load steward "$port" "$DURATION" measured "$pid")"
c1="$(process_ticks "$pid")"
threads_cpu "$pid" >"$work/threads1.txt"
[ -z "$JFR" ] || "$JAVA_HOME/bin/jcmd" "$pid" JFR.stop name=intake filename="$JFR" >/dev/null
n="$(field requests "$bench")"
rps="$(awk -v n="$n" -v us="$(field duration_us "$bench")" 'BEGIN { printf "%.0f", n / (us / 1e6) }')"
cpu_ms="$(awk -v t=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN { printf "%.3f", t / hz * 1000 / n }')"
echo "intake alone: $rps req/s, p50 $(ms "$(field p50_us "$bench")") ms, p99 $(ms "$(field p99_us "$bench")") ms," \
  "server CPU $cpu_ms ms per request; $(sed -nE 's/.*(cpu_server=.*)/\1/p' <<<"$bench"); load $(cut -d' ' -f1-3 /proc/loadavg)"
# the server's CPU by thread over the window, in ms per request
awk -v n="$n" -v hz="$(getconf CLK_TCK)" 'FNR == NR { a = $1; $1 = ""; before[$0] = a; next }
  { b = $1; $1 = ""; d = b - before[$0]; if (d > 0) printf "  %8.3f ms/request  %s\n", d / hz * 1000 / n, $0 }' \
  "$work/threads0.txt" "$work/threads1.txt" | sort -rn | head -n 12
stop "$pid"
