#!/usr/bin/env bash
# The run path's CPU per event: starts Steward on bench/e2e-workspace (H2, or PostgreSQL when
# BENCH_STORE_URL is set) with a JFR recording, builds a backlog with wrk (LOAD seconds of
# webhooks), then lets it drain for at most DRAIN seconds, and prints the host process's CPU time
# per event run while draining, the drain rate, and the JFR file (jfr print / bench/jfr-top.py).
# Usage: LOAD=15 DRAIN=40 JFR=/tmp/drain.jfr bench/drain-profile.sh
# (JFR_SETTINGS: a .jfc for the recording, e.g. one with 2 ms execution samples made by
# `jfr configure --input profile --output fine.jfc "jdk.ExecutionSample#period=2ms"`; default profile)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOAD="${LOAD:-15}"; DRAIN="${DRAIN:-40}"; JFR="${JFR:-/tmp/drain.jfr}"
THREADS=1; CONNECTIONS="${CONNECTIONS:-32}"; KEYS="${KEYS:-5000}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"; export JAVA_HOME
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-$(openssl rand -hex 32)}"
auth="Authorization: Bearer $STEWARD_ADMIN_TOKEN"
jar="${JAR:-$root/host/target/steward.jar}"; java="$JAVA_HOME/bin/java"
work="$(mktemp -d "${TMPDIR:-/tmp}/steward-drain.XXXXXX")"
hook_path="crm/deal"; payload="deal"
. "$root/bench/lib.sh"
sink_port=$((20000 + RANDOM % 40000)); sink_dir="$work/sink"; mkdir -p "$sink_dir"
cat >"$sink_dir/nginx.conf" <<NGX
worker_processes 1; daemon off; pid $sink_dir/nginx.pid; error_log $sink_dir/error.log warn;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path $sink_dir/body; proxy_temp_path $sink_dir/proxy;
  fastcgi_temp_path $sink_dir/fastcgi; uwsgi_temp_path $sink_dir/uwsgi; scgi_temp_path $sink_dir/scgi;
  keepalive_requests 100000000; keepalive_timeout 300s;
  server { listen 127.0.0.1:$sink_port; location / { default_type application/json; return 200 '{}'; } } }
NGX
nginx -p "$sink_dir" -c "$sink_dir/nginx.conf" -e "$sink_dir/error.log" >"$work/nginx.out" 2>&1 &
pids+=("$!")
sleep 0.5
export BENCH_SINK_URL="http://127.0.0.1:$sink_port"
ws="$work/ws"; mkdir -p "$ws"; cp -r "$root/bench/e2e-workspace/." "$ws/"
JAVA_OPTS="${JAVA_OPTS:-} -XX:StartFlightRecording=filename=$JFR,settings=${JFR_SETTINGS:-profile}"
start steward "$ws" serve --home "$ws" --port 0
pid="$started_pid"; port="$started_port"
log "ready on $port; loading for $LOAD s"
metric_runs() { curl -fsS -H "$auth" "http://127.0.0.1:$port/metrics" | sum_metric steward_runs_total ''; }
backlog() { curl -fsS -H "$auth" "http://127.0.0.1:$port/health" | json_number backlog; }
backlog() { curl -fsS -H "$auth" "http://127.0.0.1:$port/health" | json_number backlog; }
# A first round warms the JIT up (its compilations would otherwise count as the run path's CPU).
for round in $(seq "${WARM_ROUNDS:-1}"); do
  bench="$(load steward "$port" "$LOAD" warmup "$pid")"
  log "warm-up round $round: $(field requests "$bench") requests; backlog $(backlog); draining"
  t_end=$(( $(date +%s) + DRAIN ))
  while [ "$(backlog)" -gt 0 ] && [ "$(date +%s)" -lt "$t_end" ]; do sleep 1; done
done
la0="$(date +%s%N)"; ca0="$(process_ticks "$pid")"; ra0="$(metric_runs)"
bench="$(load steward "$port" "$LOAD" measured "$pid")"
log "load: $(field requests "$bench") requests; backlog $(backlog)"
log "draining from $(date +%H:%M:%S) (bench/jfr-top.py $JFR 12 '' $(date +%H:%M:%S))"
t0="$(date +%s%N)"; c0="$(process_ticks "$pid")"; r0="$(metric_runs)"
left="$(backlog)"
while [ "$left" -gt 0 ] && [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt "$DRAIN" ]; do sleep 1; left="$(backlog)"; done
t1="$(date +%s%N)"; c1="$(process_ticks "$pid")"; r1="$(metric_runs)"
hz="$(getconf CLK_TCK)"
awk -v n=$((r1 - r0)) -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) -v left="$left" 'BEGIN {
  printf "DRAIN runs=%d seconds=%.1f runs_per_s=%.0f cpu_s=%.2f cpu_ms_per_event=%.3f cores=%.2f left=%d\n",
    n, ns / 1e9, n / (ns / 1e9), c / hz, c / hz * 1000 / n, c / hz / (ns / 1e9), left }'
awk -v n=$((r1 - ra0)) -v req="$(field requests "$bench")" -v c=$((c1 - ca0)) -v hz="$hz" -v ns=$((t1 - la0)) 'BEGIN {
  printf "LOAD+DRAIN requests=%d runs=%d seconds=%.1f cpu_s=%.2f cpu_ms_per_event=%.3f (intake and run) cores=%.2f\n",
    req, n, ns / 1e9, c / hz, c / hz * 1000 / n, c / hz / (ns / 1e9) }'
stop "$pid"
log "JFR in $JFR"
