#!/usr/bin/env bash
# Steward's intake benchmark: start-up time of `steward serve` (cold and warm), then webhook
# intake throughput and latency of the real POST /hooks/crm/customer next to a bare Javalin
# endpoint that answers 202 without persisting (`steward bare-intake`), and the same Steward
# endpoint with signatures on (the flow gets a Standard Webhooks secret; wrk signs every request),
# all driven by wrk with the same settings, one after the other, on 127.0.0.1 only. See
# bench/README.md.
#
# Usage: bench/intake.sh            (about 8 minutes)
#        WARMUP=10 DURATION=10 STARTS=3 bench/intake.sh   (a quick check)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WARMUP="${WARMUP:-60}"            # seconds of load before each measured window
DURATION="${DURATION:-30}"        # seconds of the measured window
THREADS="${THREADS:-2}"           # wrk threads
CONNECTIONS="${CONNECTIONS:-32}"  # wrk connections, shared by the threads
KEYS="${KEYS:-5000}"              # distinct customer ids in the bodies
STARTS="${STARTS:-5}"             # start-ups timed for each of cold and warm
DRAIN_MAX="${DRAIN_MAX:-120}"     # seconds to wait for Steward's backlog to empty after the load
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA_OPTS="${JAVA_OPTS:-}"
RESULTS="${RESULTS:-$root/bench/results/intake-$(date -u +%Y-%m-%d).txt}"
export JAVA_HOME
# /api, /metrics and /health's details need a token; a throwaway admin token for this run
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-$(openssl rand -hex 32)}"
auth="Authorization: Bearer $STEWARD_ADMIN_TOKEN"

jar="$root/host/target/steward.jar"
java="$JAVA_HOME/bin/java"
work="$(mktemp -d "${TMPDIR:-/tmp}/steward-bench.XXXXXX")"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

# --- tools -------------------------------------------------------------------------------------
need_tool wrk wrk
[ -x "$java" ] || die "no java at $java; set JAVA_HOME to a JDK 21 or newer (Temurin 25 is what the figures use)"
command -v curl >/dev/null 2>&1 || die "curl is needed"
# The launcher builds the jar when it is missing or older than the sources.
"$root/steward" --version >/dev/null || die "could not build $jar"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. start-up -------------------------------------------------------------------------------
cold=() cold_self=() warm=() warm_self=()
for i in $(seq "$STARTS"); do
  ws="$(fresh_workspace "cold-$i")"
  start "serve-cold-$i" "$ws" serve --home "$ws" --port 0
  cold+=("$started_ms"); cold_self+=("$self_ms")
  log "cold start $i: ${started_ms} ms to the ready line (Steward says ${self_ms} ms)"
  stop "$started_pid"
done
[ -d "$ws/data" ] || die "serve created no data/ folder in $ws"
for i in $(seq "$STARTS"); do
  start "serve-warm-$i" "$ws" serve --home "$ws" --port 0
  warm+=("$started_ms"); warm_self+=("$self_ms")
  log "warm start $i: ${started_ms} ms to the ready line (Steward says ${self_ms} ms)"
  stop "$started_pid"
done
cold_median="$(printf '%s\n' "${cold[@]}" | median)"
cold_self_median="$(printf '%s\n' "${cold_self[@]}" | median)"
warm_median="$(printf '%s\n' "${warm[@]}" | median)"
warm_self_median="$(printf '%s\n' "${warm_self[@]}" | median)"

# --- 2. intake ---------------------------------------------------------------------------------
declare -A rps p50 p90 p99 pmax requests cpu
measure() { # measure NAME PID: warm-up, then the measured window, against the host on $started_port
  local name="$1" pid="$2" bench
  log "$name: warming up for ${WARMUP} s (wrk -t$THREADS -c$CONNECTIONS)"
  load "$name" "$started_port" "$WARMUP" "warmup" "$pid" >/dev/null
  log "$name: measuring for ${DURATION} s"
  bench="$(load "$name" "$started_port" "$DURATION" "measured" "$pid")"
  cpu[$name]="$(sed -nE 's/.* cpu_server=([0-9.]+) cpu_wrk=([0-9.]+) cpu_other=([0-9.]+) cpu_idle=([0-9.]+).*/host \1, wrk \2, other processes \3, idle \4/p' <<<"$bench")"
  requests[$name]="$(field requests "$bench")"
  rps[$name]="$(awk -v n="${requests[$name]}" -v us="$(field duration_us "$bench")" 'BEGIN { printf "%.0f", n / (us / 1e6) }')"
  p50[$name]="$(ms "$(field p50_us "$bench")")"; p90[$name]="$(ms "$(field p90_us "$bench")")"
  p99[$name]="$(ms "$(field p99_us "$bench")")"; pmax[$name]="$(ms "$(field max_us "$bench")")"
  log "$name: ${rps[$name]} req/s, p50 ${p50[$name]} ms, p99 ${p99[$name]} ms; CPU in cores: ${cpu[$name]}"
}

bare_ws="$(mkdir -p "$work/bare" && echo "$work/bare")"
start bare "$bare_ws" bare-intake --port 0
bare_pid="$started_pid"; bare_start_ms="$started_ms"
curl -fsS -X POST -H 'Content-Type: application/json' -d '{"id":"C-1"}' \
  "http://127.0.0.1:$started_port/hooks/crm/customer" >/dev/null || die "bare-intake does not answer"
measure bare "$bare_pid"
stop "$bare_pid"

ws="$(fresh_workspace load)"
start steward "$ws" serve --home "$ws" --port 0
steward_pid="$started_pid"; port="$started_port"
measure steward "$steward_pid"
# The moment the load stops: what was stored, and what is still waiting.
health_at_stop="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/health")"
backlog_at_stop="$(json_number backlog <<<"$health_at_stop")"
received="$(metric "$port" steward_events_received_total 'duplicate="false"')"
duplicates="$(metric "$port" steward_events_received_total 'duplicate="true"')"
done_at_stop="$(metric "$port" steward_runs_total '')"
sent="$(grep -h '^BENCH ' "$work"/wrk-steward-*.txt | sed -nE 's/.* requests=([0-9]+).*/\1/p' | awk '{ s += $1 } END { print s }')"
# wrk does not count the requests still in flight when it stops, so up to one per connection
# and wrk run more may have been stored.
if [ "$received" -lt "$sent" ] || [ "$received" -gt $((sent + 2 * CONNECTIONS)) ]; then
  die "wrk completed $sent requests but Steward recorded $received new events"
fi
[ "$duplicates" -eq 0 ] || die "Steward saw $duplicates duplicate deliveries; webhook-ids should be unique"
log "steward: $received events received, backlog $backlog_at_stop when the load stopped; draining (at most ${DRAIN_MAX} s)"
drain_start="$(date +%s)"; backlog="$backlog_at_stop"
while [ "$backlog" -gt 0 ] && [ $(( $(date +%s) - drain_start )) -lt "$DRAIN_MAX" ]; do
  sleep 1
  backlog="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/health" | json_number backlog)"
done
drain_s=$(( $(date +%s) - drain_start ))
# One scrape for both numbers: the workers may still be draining, and two scrapes would count
# the runs that finished in between as runs that did not succeed.
scrape="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/metrics")"
succeeded="$(sum_metric steward_runs_total 'status="succeeded"' <<<"$scrape")"
not_succeeded=$(( $(sum_metric steward_runs_total '' <<<"$scrape") - succeeded ))
pending_sample="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/api/events?status=pending&limit=1")"
recent_sample="$(curl -fsS -H "$auth" "http://127.0.0.1:$port/api/events?limit=1")"
retries="$(metric "$port" steward_retries_total '')"
if [ "$backlog" -eq 0 ]; then
  grep -q '"status":"succeeded"' <<<"$recent_sample" || die "the newest event has not succeeded: $recent_sample"
fi
[ "$not_succeeded" -eq 0 ] || die "$not_succeeded runs did not succeed (see $work/steward.err)"
stop "$steward_pid"

# --- 3. intake with signatures on --------------------------------------------------------------
# The same flow with a Standard Webhooks secret (whsec_ and 24 random bytes); intake.lua signs
# each request with it: its own webhook-id, the current time, the exact body.
head -c 24 /dev/urandom >"$work/hook-key"
sign_key="$(od -An -tx1 -v "$work/hook-key" | tr -d ' \n')"
export BENCH_HOOK_SECRET="whsec_$(base64 -w0 "$work/hook-key")"
ws="$(fresh_workspace signed)"
sed -i 's|^    path: crm/customer .*|&\n    secret: ${env:BENCH_HOOK_SECRET}|' "$ws/flows/crm-customer.yaml"
grep -q 'secret: ${env:BENCH_HOOK_SECRET}' "$ws/flows/crm-customer.yaml" || die "could not add a secret to the signed workspace's flow"
start steward-signed "$ws" serve --home "$ws" --port 0
signed_pid="$started_pid"; port="$started_port"
unsigned="$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H 'webhook-id: unsigned-1' \
  -d '{"id":"C-1"}' "http://127.0.0.1:$port/hooks/crm/customer")"
[ "$unsigned" = 401 ] || die "the signed flow answered $unsigned, not 401, to an unsigned delivery"
measure steward-signed "$signed_pid"
signed_received="$(metric "$port" steward_events_received_total 'duplicate="false"')"
signed_duplicates="$(metric "$port" steward_events_received_total 'duplicate="true"')"
signed_sent="$(grep -h '^BENCH ' "$work"/wrk-steward-signed-*.txt | sed -nE 's/.* requests=([0-9]+).*/\1/p' | awk '{ s += $1 } END { print s }')"
if [ "$signed_received" -lt "$signed_sent" ] || [ "$signed_received" -gt $((signed_sent + 2 * CONNECTIONS)) ]; then
  die "wrk completed $signed_sent signed requests but Steward recorded $signed_received new events"
fi
[ "$signed_duplicates" -eq 0 ] || die "Steward saw $signed_duplicates duplicate signed deliveries"
sign_key=""
stop "$signed_pid"

# --- report ------------------------------------------------------------------------------------
row() { printf '%-26s %10s %10s %10s %10s %10s %8s\n' "$@"; }
{
  echo "Steward intake benchmark, $(date -u +'%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "machine: $(nproc) CPUs, $(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -n1); load average before the run: $load_before"
  echo "java: $("$java" -version 2>&1 | head -n1)${JAVA_OPTS:+, JAVA_OPTS=$JAVA_OPTS}; $(wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2)"
  echo "load: wrk -t$THREADS -c$CONNECTIONS, ${WARMUP} s warm-up then ${DURATION} s measured, $KEYS customer keys, unique webhook-id per request"
  echo
  echo "Start-up of 'steward serve' (JVM launch to the ready line; median of $STARTS)"
  echo "  cold (no data/, creates the H2 stores): ${cold_median} ms  (Steward's own figure ${cold_self_median} ms; runs: ${cold[*]})"
  echo "  warm (data/ present):                   ${warm_median} ms  (Steward's own figure ${warm_self_median} ms; runs: ${warm[*]})"
  echo "  bare-intake, for comparison:            ${bare_start_ms} ms"
  echo
  echo "Intake, measured window of ${DURATION} s"
  row endpoint "req/s" "p50 ms" "p90 ms" "p99 ms" "max ms" "non-2xx"
  row "bare Javalin (no store)" "${rps[bare]}" "${p50[bare]}" "${p90[bare]}" "${p99[bare]}" "${pmax[bare]}" 0
  row "steward /hooks/crm/customer" "${rps[steward]}" "${p50[steward]}" "${p90[steward]}" "${p99[steward]}" "${pmax[steward]}" 0
  row "steward, signatures on" "${rps[steward-signed]}" "${p50[steward-signed]}" "${p90[steward-signed]}" "${p99[steward-signed]}" "${pmax[steward-signed]}" 0
  echo "CPU used during the window, in cores of $(nproc) (1.00 = one CPU busy):"
  echo "  bare:    ${cpu[bare]}"
  echo "  steward: ${cpu[steward]}"
  echo "  signed:  ${cpu[steward-signed]} (wrk computes an HMAC-SHA256 per request in Lua)"
  for name in bare steward steward-signed; do
    if awk -v c="${cpu[$name]}" 'BEGIN { split(c, f, "other processes "); exit !(f[2] + 0 > 0.2) }'; then
      echo "  WARNING: other processes used more than 0.2 cores during the $name window; its figures are low and noisy"
    fi
  done
  echo
  echo "Steward's events (warm-up and measured window together)"
  echo "  received and stored: $received (wrk completed $sent; duplicates $duplicates)"
  echo "  processed when the load stopped: $done_at_stop; backlog then: $backlog_at_stop"
  echo "  backlog ${backlog} after ${drain_s} s of draining ($(( (succeeded + not_succeeded - done_at_stop) / (drain_s > 0 ? drain_s : 1) )) runs/s without load); runs succeeded $succeeded, other $not_succeeded, retries $retries"
  echo "  pending sample after draining: $pending_sample"
  echo "  signed run: received and stored $signed_received (wrk completed $signed_sent; duplicates $signed_duplicates);"
  echo "  an unsigned delivery to the signed flow was answered $unsigned"
} | tee "$work/report.txt"
mkdir -p "$(dirname "$RESULTS")"
cp "$work/report.txt" "$RESULTS"
log "written to $RESULTS"
