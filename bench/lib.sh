# Shell functions shared by bench/intake.sh and bench/e2e.sh; sourced, not run. The script that
# sources it sets first: root (the repository), work (its temp folder), java, jar, JAVA_OPTS,
# THREADS, CONNECTIONS, KEYS and auth (the Authorization header for /api, /metrics, /health).
# Load settings that a script may change: hook_path (the webhook's path under /hooks/, default
# crm/customer), payload (intake.lua's body: customer or deal) and sign_key (hex HMAC key that
# intake.lua signs with; empty: unsigned).

hook_path="${hook_path:-crm/customer}"
payload="${payload:-customer}"
sign_key="${sign_key:-}"
pids=()                           # processes to stop on exit
exit_hooks=()                     # commands to run on exit, after those processes are stopped

log() { echo "bench: $*" >&2; }
die() { echo "bench: FAILED: $*" >&2; exit 1; }

cleanup() {
  local status=$? pid i
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for ((i = ${#exit_hooks[@]} - 1; i >= 0; i--)); do
    eval "${exit_hooks[$i]}" || true
  done
  if [ "$status" -eq 0 ] && [ -z "${KEEP:-}" ]; then
    rm -rf "$work"
  else
    echo "bench: logs and workspaces kept in $work" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# need_tool COMMAND PACKAGE: installs PACKAGE with apt-get when COMMAND is missing and we are root.
# Services are not started by the install (policy-rc.d), so a fresh nginx listens nowhere.
need_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing $2 (apt-get install $2)"
    if [ -z "${apt_updated:-}" ]; then
      apt-get update -qq >&2 || die "apt-get update failed"
      apt_updated=yes
    fi
    local policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then # keep the package's service from starting on port 80
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=yes
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2 || { [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d; die "could not install $2"; }
    [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
  fi
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed; on Debian or Ubuntu: sudo apt-get install $2"
}

fresh_workspace() { # a copy of the example workspace without data/
  local dir="$work/ws-$1"
  mkdir -p "$dir"
  cp -r "$root/steward.yaml" "$root/flows" "$root/rules" "$root/systems" "$root/transforms" "$dir/"
  echo "$dir"
}

# launch NAME DIR COMMAND...: starts COMMAND in DIR, waits for its ready line on stdout (one that
# contains " on http://127.0.0.1:PORT") and sets started_pid, started_port, started_ms (launch to
# ready line, measured here) and self_ms (the "in N ms" the process prints about itself).
launch() {
  local name="$1" dir="$2"; shift 2
  local out="$work/$name.out" err="$work/$name.err" line="" t0 waited=0
  t0="$(date +%s%N)"
  (cd "$dir" && exec "$@") >"$out" 2>"$err" &
  started_pid=$!
  pids+=("$started_pid")
  until [[ "$line" == *" on http://127.0.0.1:"* ]]; do
    kill -0 "$started_pid" 2>/dev/null || { tail -n 20 "$err" >&2; die "$name exited before it was ready"; }
    [ "$waited" -lt 6000 ] || die "$name printed no ready line within 120 s"
    sleep 0.02
    waited=$((waited + 1))
    IFS= read -r line < <(grep -m1 ' on http://127\.0\.0\.1:' "$out") || true
  done
  started_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  started_port="$(sed -E 's|.*http://127\.0\.0\.1:([0-9]+).*|\1|' <<<"$line")"
  self_ms="$(sed -nE 's|.* in ([0-9]+) ms(;.*)?$|\1|p' <<<"$line")"
}

# start NAME DIR ARGS...: launches the Steward jar with ARGS (see launch). `serve` goes through the
# launcher, ./steward, as users start it (its JVM flags: README, JVM flags), with JAVA_OPTS after
# them (STEWARD_JAVA_OPTS); it execs the JVM, so started_pid is the JVM's. Other commands (the
# bare Javalin baseline) run on the plain JVM with JAVA_OPTS. LAUNCHER=java runs serve that way too.
start() {
  local name="$1" dir="$2"; shift 2
  if [ "$1" = serve ] && [ "${LAUNCHER:-steward}" = steward ]; then
    launch "$name" "$dir" env JAVA_HOME="$JAVA_HOME" STEWARD_JAVA_OPTS="$JAVA_OPTS" "$root/steward" "$@"
  else
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    launch "$name" "$dir" "$java" $JAVA_OPTS -jar "$jar" "$@"
  fi
}

stop() { # stop PID: TERM, then KILL after 30 s
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

field() { sed -nE "s/.* $1=([0-9]+).*/\1/p" <<<" $2"; }

# CPU accounting, so that a window shared with other work on the machine shows in the report.
machine_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
process_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
children_seconds() { # sets children_s: user + system seconds of this shell's finished children
  times >"$work/times.txt" # a builtin, not in a subshell: a subshell would start its counts at 0
  children_s="$(tail -n 1 "$work/times.txt" | awk '{ for (i = 1; i <= 2; i++) { split($i, t, /m|s/); s += t[1] * 60 + t[2] } } END { print s }')"
}

# load NAME PORT SECONDS PREFIX SERVER-PID: runs wrk against POST /hooks/$hook_path and prints its
# BENCH line with the CPU used during the window (in cores: 1.0 is one CPU busy); fails on any
# error answer.
load() {
  local name="$1" port="$2" seconds="$3" prefix="$4" server="$5" out bench errors
  local busy0 total0 busy1 total1 server0 server1 wrk0 wrk1 hz
  hz="$(getconf CLK_TCK)"
  read -r busy0 total0 < <(machine_ticks); server0="$(process_ticks "$server")"; children_seconds; wrk0="$children_s"
  out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s --latency \
        -s "$root/bench/intake.lua" "http://127.0.0.1:$port/hooks/$hook_path" -- "$prefix" "$KEYS" "$sign_key" "$payload")"
  read -r busy1 total1 < <(machine_ticks); server1="$(process_ticks "$server")"; children_seconds; wrk1="$children_s"
  echo "$out" >"$work/wrk-$name-$prefix.txt"
  bench="$(grep '^BENCH ' <<<"$out")" || die "wrk printed no summary for $name: $out"
  errors=$(( $(field status_errors "$bench") + $(field connect_errors "$bench") + $(field read_errors "$bench") \
           + $(field write_errors "$bench") + $(field timeouts "$bench") ))
  if [ "$errors" -ne 0 ]; then
    echo "$out" >&2
    die "$name answered with errors during '$prefix' ($bench); these figures would be worthless"
  fi
  awk -v b="$bench" -v busy=$((busy1 - busy0)) -v total=$((total1 - total0)) -v srv=$((server1 - server0)) \
      -v wrk="$(awk -v a="$wrk0" -v b="$wrk1" 'BEGIN { print b - a }')" -v hz="$hz" -v cpus="$(nproc)" 'BEGIN {
    secs = total / hz / cpus; s = srv / hz / secs; w = wrk / secs; o = busy / hz / secs - s - w
    printf "%s cpu_server=%.2f cpu_wrk=%.2f cpu_other=%.2f cpu_idle=%.2f\n", b, s, w, (o < 0 ? 0 : o), (total - busy) / hz / secs }'
}

sum_metric() { # sum_metric NAME LABEL-FILTER < scrape: sums a Prometheus counter
  awk -v name="$1" -v filter="$2" '$1 ~ "^"name"[{]" && index($1, filter) { sum += $2 } END { printf "%d\n", sum }'
}

metric() { # metric PORT NAME LABEL-FILTER: sums a Prometheus counter from /metrics
  curl -fsS -H "$auth" "http://127.0.0.1:$1/metrics" | sum_metric "$2" "$3"
}

json_number() { sed -nE "s/.*\"$1\":([0-9]+).*/\1/p"; }

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
