#!/usr/bin/env bash
# Steward's end-to-end benchmark: the same webhook job (a ~1 KB CRM deal in, lost deals dropped,
# the rest written to a sink) through a bare Javalin endpoint (parse and 202, no work), an
# Apache Camel route (bench/camel), and Steward with its embedded H2 store and with PostgreSQL,
# one after the other under the same wrk load, on 127.0.0.1 only, against a local nginx sink.
# Prints per system: req/s, webhook latency, runs and writes per second during the load, the
# backlog, the drain rate, event-to-write latency, start-up and RSS; then the ratios that issue
# 10 sets as targets. See bench/README.md.
#
# Usage: bench/e2e.sh                           (about 10 minutes)
#        WARMUP=15 DURATION=15 bench/e2e.sh     (a quick check, about 5 minutes)
#        SYSTEMS="camel steward-h2" bench/e2e.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WARMUP="${WARMUP:-60}"            # seconds of load before each measured window
DURATION="${DURATION:-30}"        # seconds of the measured window
THREADS="${THREADS:-1}"           # wrk threads
CONNECTIONS="${CONNECTIONS:-32}"  # wrk connections
KEYS="${KEYS:-5000}"              # distinct deal ids in the bodies
SYSTEMS="${SYSTEMS:-bare camel steward-h2 steward-pg}"
DRAIN_CAP="${DRAIN_CAP:-60}"      # seconds to wait for Steward's backlog to empty after the load
STARTS="${STARTS:-3}"             # start-ups of the example workspace: one cold, the rest warm
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA_OPTS="${JAVA_OPTS:-}"
RESULTS="${RESULTS:-$root/bench/results/e2e-$(date -u +%Y-%m-%d).txt}"
export JAVA_HOME
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-$(openssl rand -hex 32)}"
auth="Authorization: Bearer $STEWARD_ADMIN_TOKEN"

jar="$root/host/target/steward.jar"
java="$JAVA_HOME/bin/java"
camel_dir="$root/bench/camel"
work="$(mktemp -d "${TMPDIR:-/tmp}/steward-e2e.XXXXXX")"
hook_path="crm/deal"
payload="deal"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

for system in $SYSTEMS; do
  case "$system" in bare|camel|steward-h2|steward-pg) ;; *) die "unknown system '$system' in SYSTEMS (bare camel steward-h2 steward-pg)";; esac
done
wants() { [[ " $SYSTEMS " == *" $1 "* ]]; }

# --- tools and builds --------------------------------------------------------------------------
need_tool wrk wrk
need_tool nginx nginx
command -v curl >/dev/null 2>&1 || die "curl is needed"
command -v ss >/dev/null 2>&1 || die "ss (iproute2) is needed to find free ports"
[ -x "$java" ] || die "no java at $java; set JAVA_HOME to a JDK 21 or newer (Temurin 25 is what the figures use)"
"$root/steward" --version >/dev/null || die "could not build $jar"
h2_jar="$(ls "$root"/host/target/lib/h2-*.jar 2>/dev/null | head -n1 || true)"
[ -n "$h2_jar" ] || die "no H2 jar in host/target/lib"
if wants camel; then
  command -v mvn >/dev/null 2>&1 || die "mvn is needed to build bench/camel"
  if [ ! -f "$camel_dir/target/built" ] \
     || [ -n "$(find "$camel_dir/pom.xml" "$camel_dir/src" -newer "$camel_dir/target/built" -type f -print -quit)" ]; then
    log "building bench/camel (mvn package)"
    (cd "$camel_dir" && mvn -B -q -DskipTests package >&2) || die "could not build bench/camel"
    touch "$camel_dir/target/built"
  fi
fi
if wants steward-pg; then
  PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)}"
  if [ ! -x "${PG_BIN:-/nonexistent}/initdb" ]; then
    need_tool pg_ctlcluster postgresql
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  fi
  [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL server binaries (initdb) under /usr/lib/postgresql; set PG_BIN"
  need_tool psql postgresql-client
fi

# --- helpers -----------------------------------------------------------------------------------
now_ms() { date +%s%3N; }

free_port() { # a TCP port that nothing on this machine listens on
  local port i
  for i in $(seq 100); do
    port=$((20000 + RANDOM % 40000))
    if [ -z "$(ss -Htln "sport = :$port")" ]; then echo "$port"; return 0; fi
  done
  die "found no free port"
}

status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; } # status_kb PID VmRSS|VmHWM

mb() { awk -v kb="$1" 'BEGIN { printf "%.0f", kb / 1024 }'; }

# --- the sink: nginx answering {} to anything, logging when each write arrived -----------------
# Each line: the time nginx logged it (epoch seconds, ms resolution), method, path, the
# Idempotency-Key (Steward: "<event id>:sink"; Camel: the delivery's webhook-id) and Camel's
# X-Received-At. Buffered and flushed every second. The systems run one after the other, so each
# one's lines are those between its start and its stop.
sink_dir="$work/sink"
mkdir -p "$sink_dir"
sink_port="$(free_port)"
cat >"$sink_dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $sink_dir/nginx.pid;
error_log $sink_dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $sink_dir/body;
  proxy_temp_path $sink_dir/proxy;
  fastcgi_temp_path $sink_dir/fastcgi;
  uwsgi_temp_path $sink_dir/uwsgi;
  scgi_temp_path $sink_dir/scgi;
  log_format sink '\$msec \$request_method \$uri \$http_idempotency_key \$http_x_received_at';
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  server {
    listen 127.0.0.1:$sink_port;
    access_log $sink_dir/sink.log sink buffer=256k flush=1s;
    location / {
      default_type application/json;
      return 200 '{}';
    }
  }
}
EOF
nginx -p "$sink_dir" -c "$sink_dir/nginx.conf" -e "$sink_dir/error.log" >"$work/nginx.out" 2>&1 &
sink_pid=$!
pids+=("$sink_pid")
for i in $(seq 100); do
  [ "$(curl -s -X PATCH -d '{}' "http://127.0.0.1:$sink_port/deals/check")" = "{}" ] && break
  kill -0 "$sink_pid" 2>/dev/null || { cat "$work/nginx.out" "$sink_dir/error.log" >&2; die "nginx did not start"; }
  [ "$i" -lt 100 ] || die "nginx does not answer on 127.0.0.1:$sink_port"
  sleep 0.1
done
export BENCH_SINK_URL="http://127.0.0.1:$sink_port"
log "sink: nginx on 127.0.0.1:$sink_port"

sink_log() { # sink_log NAME FROM TO: the sink's lines logged between FROM and TO (epoch ms)
  sleep 1.5 # the log's buffer is flushed every second
  awk -v from="$2" -v to="$3" '$1 * 1000 >= from && $1 * 1000 <= to' "$sink_dir/sink.log" >"$work/sink-$1.log"
}

# --- PostgreSQL: a throwaway cluster, as the tests start one ------------------------------------
pg_port=""
pg_start() {
  pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/steward-e2e-pg.XXXXXX")"
  exit_hooks+=("pg_stop")
  local as=()
  if [ "$(id -u)" = 0 ]; then # PostgreSQL refuses to run as root
    chown postgres "$pg_dir"
    as=(runuser -u postgres --)
  fi
  pg_port="$(free_port)"
  "${as[@]}" "$PG_BIN/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --no-sync >"$work/initdb.out" 2>&1 \
    || { cat "$work/initdb.out" >&2; die "initdb failed"; }
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >"$work/pg_ctl.out" 2>&1 || { cat "$work/pg_ctl.out" "$pg_dir/server.log" >&2; die "pg_ctl start failed"; }
  psql -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qAt -c "CREATE DATABASE steward" >/dev/null \
    || die "the throwaway PostgreSQL refused CREATE DATABASE"
  log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$pg_port ($pg_dir)"
}
pg_stop() {
  if [ -f "$pg_dir/data/postmaster.pid" ]; then
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1
    else
      "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1
    fi
  fi
  rm -rf "$pg_dir"
}

# events_csv NAME T0 T1: "id,received_at,lost" of the events Steward received in [T0, T1] ms
events_csv() {
  local name="$1" t0="$2" t1="$3" sql
  sql="SELECT id, received_at, CASE WHEN payload LIKE '%closedlost%' THEN 1 ELSE 0 END FROM events WHERE received_at BETWEEN $t0 AND $t1"
  if [ "$name" = steward-pg ]; then
    psql -h 127.0.0.1 -p "$pg_port" -U postgres -d steward -qAt -F, -c "$sql" >"$work/events-$name.csv"
  else # the H2 file, once the host has closed it
    "$java" -cp "$h2_jar" org.h2.tools.Shell -url "jdbc:h2:$ws/data/steward" -user sa -password "" \
      -sql "CALL CSVWRITE('$work/events-$name.csv', '${sql//\'/\'\'}', 'writeColumnHeader=false')" >/dev/null
    sed -i 's/"//g' "$work/events-$name.csv"
  fi
}

# percentiles: reads "latency_ms" lines and a line "unwritten N"; prints "p50 p99 written unwritten"
# where an event never written counts as slower than every written one (shown as "never").
percentiles() {
  sort -n | awk '
    $1 == "unwritten" { u = $2; next }
    { v[++n] = $1 }
    function at(p,   i) { i = int(p * (n + u) + 0.999999); if (i < 1) i = 1; return i <= n ? v[i] : "never" }
    END { if (n + u == 0) print "- - 0 0"; else print at(0.50), at(0.99), n, u + 0 }'
}

# --- measuring one system ------------------------------------------------------------------------
declare -A start_ms idle_kb peak_kb load_kb rps p50 p99 cpu runs wps backlog0 backlog1 drain drained_left drain_s e2w lavg
run_system() {
  local name="$1" pid port bench begin t0 t1 t2 succ0 succ1 succ2 scrape received duplicates sent not_succeeded left
  begin="$(now_ms)"
  case "$name" in
    bare)
      mkdir -p "$work/bare"
      start bare "$work/bare" bare-intake --port 0 ;;
    camel)
      # shellcheck disable=SC2086
      launch camel "$camel_dir" "$java" $JAVA_OPTS -cp "target/classes:target/lib/*" dev.steward.bench.camel.DealBench \
        "$(free_port)" "$sink_port" ;;
    steward-h2|steward-pg)
      ws="$work/ws-$name"
      mkdir -p "$ws"
      cp -r "$root/bench/e2e-workspace/." "$ws/"
      if [ "$name" = steward-pg ]; then
        [ -n "$pg_port" ] || pg_start
        export BENCH_STORE_URL="jdbc:postgresql://127.0.0.1:$pg_port/steward" BENCH_STORE_USER=postgres
      else
        unset BENCH_STORE_URL BENCH_STORE_USER
      fi
      start "$name" "$ws" serve --home "$ws" --port 0 ;;
  esac
  pid="$started_pid"; port="$started_port"; start_ms[$name]="$started_ms"
  sleep 2
  idle_kb[$name]="$(status_kb "$pid" VmRSS)"
  log "$name: ready in ${started_ms} ms on port $port, idle RSS $(mb "${idle_kb[$name]}") MB; warming up for ${WARMUP} s (wrk -t$THREADS -c$CONNECTIONS)"
  load "$name" "$port" "$WARMUP" warmup "$pid" >/dev/null

  t0="$(now_ms)"
  if [[ "$name" == steward-* ]]; then
    succ0="$(metric "$port" steward_runs_total 'status="succeeded"')"
    backlog0[$name]="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/health" | json_number backlog)"
  fi
  log "$name: measuring for ${DURATION} s"
  bench="$(load "$name" "$port" "$DURATION" measured "$pid")"
  t1="$(now_ms)"
  lavg[$name]="$(cut -d' ' -f1 /proc/loadavg)"
  load_kb[$name]="$(status_kb "$pid" VmRSS)"
  rps[$name]="$(awk -v n="$(field requests "$bench")" -v us="$(field duration_us "$bench")" 'BEGIN { printf "%.0f", n / (us / 1e6) }')"
  p50[$name]="$(ms "$(field p50_us "$bench")")"; p99[$name]="$(ms "$(field p99_us "$bench")")"
  cpu[$name]="$(sed -nE 's/.* cpu_server=([0-9.]+) cpu_wrk=([0-9.]+) cpu_other=([0-9.]+) cpu_idle=([0-9.]+).*/\1 \2 \3 \4/p' <<<"$bench")"

  case "$name" in
    bare)
      runs[$name]="-" ;;
    camel) # the route answers 202 only once it has written to the sink (or dropped the deal)
      runs[$name]="${rps[$name]}" ;;
    steward-*)
      succ1="$(metric "$port" steward_runs_total 'status="succeeded"')"
      backlog1[$name]="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/health" | json_number backlog)"
      runs[$name]="$(awk -v a="$succ0" -v b="$succ1" -v ms=$((t1 - t0)) 'BEGIN { printf "%.0f", (b - a) / (ms / 1000) }')"
      log "$name: ${rps[$name]} req/s, ${runs[$name]} runs/s; backlog ${backlog0[$name]} -> ${backlog1[$name]}; draining (at most ${DRAIN_CAP} s)"
      left="${backlog1[$name]}"
      while [ "$left" -gt 0 ] && [ $(( $(now_ms) - t1 )) -lt $((DRAIN_CAP * 1000)) ]; do
        sleep 1
        left="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/health" | json_number backlog)"
      done
      t2="$(now_ms)"
      # one scrape for both numbers (see intake.sh)
      scrape="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/metrics")"
      succ2="$(sum_metric steward_runs_total 'status="succeeded"' <<<"$scrape")"
      not_succeeded=$(( $(sum_metric steward_runs_total '' <<<"$scrape") - succ2 ))
      received="$(sum_metric steward_events_received_total 'duplicate="false"' <<<"$scrape")"
      duplicates="$(sum_metric steward_events_received_total 'duplicate="true"' <<<"$scrape")"
      drained_left[$name]="$left"
      drain_s[$name]="$(awk -v ms=$((t2 - t1)) 'BEGIN { printf "%.0f", ms / 1000 }')"
      drain[$name]="$(awk -v a="$succ1" -v b="$succ2" -v ms=$((t2 - t1)) 'BEGIN { printf "%.0f", (b - a) / (ms / 1000) }')"
      sent="$(grep -h '^BENCH ' "$work"/wrk-"$name"-*.txt | sed -nE 's/.* requests=([0-9]+).*/\1/p' | awk '{ s += $1 } END { print s }')"
      if [ "$received" -lt "$sent" ] || [ "$received" -gt $((sent + 2 * CONNECTIONS)) ]; then
        die "$name: wrk completed $sent requests but Steward recorded $received new events"
      fi
      [ "$duplicates" -eq 0 ] || die "$name saw $duplicates duplicate deliveries; webhook-ids should be unique"
      [ "$not_succeeded" -eq 0 ] || die "$name: $not_succeeded runs did not succeed (see $work/$name.err)" ;;
  esac
  peak_kb[$name]="$(status_kb "$pid" VmHWM)"
  stop "$pid"
  sink_log "$name" "$begin" "$(now_ms)"

  # writes per second at the sink during the measured window
  wps[$name]="$(awk -v t0="$t0" -v t1="$t1" '$1 * 1000 >= t0 && $1 * 1000 <= t1 { n++ } END { printf "%.0f", n / ((t1 - t0) / 1000) }' "$work/sink-$name.log")"
  # event-to-write: from the moment the system received a webhook of the measured window to the
  # moment the sink logged its write
  case "$name" in
    bare) e2w[$name]="- - - -" ;;
    camel)
      e2w[$name]="$(awk -v t0="$t0" -v t1="$t1" '$5 >= t0 && $5 <= t1 { printf "%.0f\n", $1 * 1000 - $5 } END { print "unwritten 0" }' \
        "$work/sink-$name.log" | percentiles)" ;;
    steward-*)
      [ -s "$work/sink-$name.log" ] || die "$name: no write reached the sink"
      events_csv "$name" "$t0" "$t1"
      e2w[$name]="$(awk -F'[ ,]' '
        FNR == NR { split($4, k, ":"); if (!(k[1] in w)) w[k[1]] = $1 * 1000; next }
        $3 == 1 { next }                                     # lost deals: nothing to write
        $1 in w { printf "%.0f\n", w[$1] - $2; next }
        { u++ }
        END { print "unwritten", u + 0 }' "$work/sink-$name.log" "$work/events-$name.csv" | percentiles)"
      [ -s "$work/events-$name.csv" ] || die "$name: no events received in the measured window found in the store" ;;
  esac
  log "$name: writes/s ${wps[$name]}, event-to-write p50 p99 (ms), written, never written: ${e2w[$name]}; peak RSS $(mb "${peak_kb[$name]}") MB"
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- start-up of the example workspace -----------------------------------------------------------
cold_ms="" warm=()
# One untimed start first: the launcher writes its AOT cache when the first serve after a build
# exits (README, JVM flags), which the timed starts below, and users' later starts, then map.
start "example-0" "$(fresh_workspace example-0)" serve --home "$work/ws-example-0" --port 0
kill -TERM "$started_pid" 2>/dev/null || true
for i in $(seq 1200); do kill -0 "$started_pid" 2>/dev/null || break; sleep 0.1; done
stop "$started_pid"
ws_example="$(fresh_workspace example)"
for i in $(seq "$STARTS"); do
  start "example-$i" "$ws_example" serve --home "$ws_example" --port 0
  if [ "$i" = 1 ]; then cold_ms="$started_ms"; else warm+=("$started_ms"); fi
  log "example workspace, $([ "$i" = 1 ] && echo cold || echo warm) start $i: ${started_ms} ms to the ready line (Steward says ${self_ms} ms)"
  stop "$started_pid"
done
warm_ms="$( [ "${#warm[@]}" -gt 0 ] && printf '%s\n' "${warm[@]}" | median || echo "")"

for system in $SYSTEMS; do
  run_system "$system"
done

# --- report ------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
verdict() { # verdict VALUE OP LIMIT
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "-" || v == "") { print "n/a"; exit }
    ok = (op == ">=") ? (v + 0 >= l) : (v + 0 <= l); print ok ? "PASS" : "FAIL" }'
}
label() { case "$1" in bare) echo "bare Javalin";; camel) echo "Camel 4.22";; steward-h2) echo "Steward, H2";; steward-pg) echo "Steward, PostgreSQL";; esac; }
{
  echo "Steward end-to-end benchmark, $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "machine: $(nproc) CPUs, $(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -n1); load average before the run: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "java: $("$java" -version 2>&1 | head -n1)${JAVA_OPTS:+, JAVA_OPTS=$JAVA_OPTS}; Steward started by $([ "${LAUNCHER:-steward}" = steward ] && echo "./steward (its JVM flags)" || echo "java -jar"); $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2); $(nginx -v 2>&1)"
  echo "load: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP} s warm-up then ${DURATION} s measured, POST /hooks/crm/deal, ~1 KB deals over $KEYS keys"
  echo "      (1 in 10 in stage closedlost, dropped), a unique webhook-id per request; sink: nginx answering {}; drain cap ${DRAIN_CAP} s"
  echo
  echo "Start-up of the example workspace (JVM launch to the ready line): cold ${cold_ms} ms, warm ${warm_ms:--} ms (median of ${#warm[@]})"
  echo
  printf '%-20s %9s %8s %8s %8s %8s %9s %9s  %s\n' system "start ms" "idle MB" "req/s" "p50 ms" "p99 ms" "load MB" "peak MB" "CPU cores: host wrk other idle (1-min load avg)"
  for s in $SYSTEMS; do
    printf '%-20s %9s %8s %8s %8s %8s %9s %9s  %s (%s)\n' "$(label "$s")" "${start_ms[$s]}" "$(mb "${idle_kb[$s]}")" "${rps[$s]}" \
      "${p50[$s]}" "${p99[$s]}" "$(mb "${load_kb[$s]}")" "$(mb "${peak_kb[$s]}")" "${cpu[$s]}" "${lavg[$s]}"
  done
  echo
  printf '%-20s %8s %9s %15s %10s %12s %11s %11s %s\n' system "runs/s" "writes/s" "backlog" "drain/s" "drain left" "e2w p50 ms" "e2w p99 ms" "(events of the window: written, never written)"
  for s in $SYSTEMS; do
    read -r e50 e99 en eu <<<"${e2w[$s]}"
    case "$s" in
      steward-*) bl="${backlog0[$s]} -> ${backlog1[$s]}"; dr="${drain[$s]}"; dl="${drained_left[$s]} (${drain_s[$s]} s)" ;;
      *) bl="-"; dr="-"; dl="-" ;;
    esac
    printf '%-20s %8s %9s %15s %10s %12s %11s %11s (%s, %s)\n' "$(label "$s")" "${runs[$s]}" "${wps[$s]}" "$bl" "$dr" "$dl" "$e50" "$e99" "$en" "$eu"
  done
  echo
  echo "Targets (issue 10), from this run:"
  row() { printf '  %-76s %6s  %-5s %s\n' "$@"; }
  for s in steward-h2 steward-pg; do
    wants "$s" || continue
    if wants bare; then
      r="$(ratio "${rps[$s]}" "${rps[bare]}")"; row "$(label "$s"): intake / bare Javalin >= 0.30" "$r" "$(verdict "$r" '>=' 0.30)" ""
    fi
    if wants camel; then
      growth=$(( ${backlog1[$s]} - ${backlog0[$s]} ))
      r="$(ratio "${runs[$s]}" "${runs[camel]}")"
      v="$(verdict "$r" '>=' 0.35)"
      if [ "$growth" -gt "$CONNECTIONS" ]; then v="FAIL"; fi
      row "$(label "$s"): runs/s during the load / Camel >= 0.35, backlog flat" "$r" "$v" "(backlog grew by $growth)"
      r="$(ratio "${drain[$s]}" "${runs[camel]}")"; row "$(label "$s"): drain runs/s / Camel runs/s >= 0.5" "$r" "$(verdict "$r" '>=' 0.5)" ""
    fi
    row "$(label "$s"): idle RSS <= 300 MB" "$(mb "${idle_kb[$s]}")" "$(verdict "$(mb "${idle_kb[$s]}")" '<=' 300)" ""
    row "$(label "$s"): peak RSS under load and draining <= 512 MB" "$(mb "${peak_kb[$s]}")" "$(verdict "$(mb "${peak_kb[$s]}")" '<=' 512)" ""
  done
  row "start-up of the example workspace, cold, <= 2.0 s" "$(awk -v m="$cold_ms" 'BEGIN { printf "%.1f", m / 1000 }')" "$(verdict "$cold_ms" '<=' 2000)" ""
  if [ -n "$warm_ms" ]; then
    row "start-up of the example workspace, warm, <= 2.0 s" "$(awk -v m="$warm_ms" 'BEGIN { printf "%.1f", m / 1000 }')" "$(verdict "$warm_ms" '<=' 2000)" ""
  fi
} | tee "$work/report.txt"
mkdir -p "$(dirname "$RESULTS")"
cp "$work/report.txt" "$RESULTS"
log "written to $RESULTS"
