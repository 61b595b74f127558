#!/usr/bin/env bash
# Start-up of `steward serve` on the example workspace, launched by ./steward as users start it:
# per start the wall clock from launch to the ready line, the CPU the JVM used until then (all
# threads; /proc/PID/stat), the part of it the JIT compiler threads used, the RSS 2 s later, and
# the host's own `start-up:` phase line. When the ready line says transforms are still compiling
# (the workers start once they have), also the wall clock from launch to the log line that says
# they have ("workers at"; as the start reaches it by then, not the ready line's figure). Variants alternate, so that a shared machine's load
# falls on each alike; on a busy machine the CPU figures are the ones to compare.
#
# Usage: bench/startup.sh [ROUNDS] [LABEL=ENV|JAVA_OPTS ...]
#   bench/startup.sh 4                                   (the launcher's defaults)
#   bench/startup.sh 3 'default=|' 'cds=STEWARD_AOT=off|' 'jit=STEWARD_JS_JIT=on|' 'c1=|-XX:TieredStopAtLevel=1'
# ENV is VAR=value (space-separated) for the launcher; JAVA_OPTS goes to STEWARD_JAVA_OPTS.
# LAUNCHER=/path/to/steward in ENV starts that launcher (another build) instead of this tree's:
#   bench/startup.sh 4 'base=LAUNCHER=/tmp/base/steward|' 'new=|'
# COLD=1 bench/startup.sh ...: each start on a fresh workspace (the first start of a workspace).
# Before the timed starts: one untimed start per variant that makes its data/ (the first, cold,
# start of a workspace: H2 files, the DRL cache) and the launcher's AOT cache or class data
# archive if it is missing (both are written when the first serve after a build exits).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-4}"; shift || true
[ "$#" -gt 0 ] || set -- 'default=|'
work="$(mktemp -d "${TMPDIR:-/tmp}/steward-startup.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export STEWARD_ADMIN_TOKEN="${STEWARD_ADMIN_TOKEN:-$(openssl rand -hex 32)}"
tck="$(getconf CLK_TCK)"
"$root/steward" --version >/dev/null

mkdir -p "$work/warm"
cp -r "$root/steward.yaml" "$root/flows" "$root/rules" "$root/systems" "$root/transforms" "$work/warm/"

# one_start LABEL ENV OPTS TIMED: a start on a copy of the warm workspace, stopped at its ready line
one_start() {
  local label="$1" envs="$2" opts="$3" timed="$4" ws out pid t0 wall cpu jit rss i kv launcher="$root/steward"
  for kv in $envs; do case "$kv" in LAUNCHER=*) launcher="${kv#LAUNCHER=}";; esac; done
  ws="$work/ws-$RANDOM"; mkdir -p "$ws"; cp -r "$work/warm/." "$ws/"
  # data/ of this variant's own first start: the DRL cache's key names the jars' paths, so
  # another build's cache would be missed and every start would compile the rules (a cold start)
  # COLD=1: every start on a fresh workspace (no data/: H2 files made, the rules compiled)
  [ "${COLD:-0}" = 1 ] || { [ -d "$work/data-$label" ] && cp -r "$work/data-$label" "$ws/data"; } || true
  out="$ws/out"; t0="$(date +%s%N)"
  # shellcheck disable=SC2086 # ENV is a list of assignments
  env STEWARD_JAVA_OPTS="$opts" $envs "$launcher" serve --home "$ws" --port 0 >"$out" 2>&1 &
  pid=$!
  for i in $(seq 6000); do
    grep -q ' on http://127\.0\.0\.1:' "$out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { tail -n 5 "$out" >&2; echo "startup: $label exited before it was ready" >&2; exit 1; }
    sleep 0.02
  done
  wall=$(( ($(date +%s%N) - t0) / 1000000 ))
  cpu="$(awk -v t="$tck" '{ print int(($14 + $15) * 1000 / t) }' "/proc/$pid/stat")"
  jit=0
  for task in /proc/"$pid"/task/*; do
    case "$(cat "$task/comm" 2>/dev/null)" in C1*|C2*) jit=$((jit + $(awk -v t="$tck" '{ print int(($14 + $15) * 1000 / t) }' "$task/stat")));; esac
  done
  workers=""
  if grep -q 'compiling: runs start' "$out"; then
    for i in $(seq 3000); do
      grep -qE 'transforms compiled|set aside' "$out" 2>/dev/null && break
      sleep 0.02
    done
    workers=", workers at $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  fi
  sleep 2
  rss="$(awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status")"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true # a first start after a build writes the AOT cache as it exits
  if [ "$timed" = yes ]; then
    echo "$label: wall ${wall} ms${workers}, CPU ${cpu} ms (JIT threads ${jit}), RSS ${rss} MB, load $(cut -d' ' -f1 /proc/loadavg) | $(sed -n 's/.*start-up: //p' "$out")"
  fi
  [ "$timed" = yes ] || [ -d "$work/data-$label" ] || cp -r "$ws/data" "$work/data-$label"
  rm -rf "$ws"
}

for v in "$@"; do
  label="${v%%=*}"; rest="${v#*=}"
  one_start "$label" "${rest%%|*}" "${rest#*|}" no
done
echo "steward serve, example workspace, $([ "${COLD:-0}" = 1 ] && echo 'cold (fresh data/ each start)' || echo 'warm (data/ there)') at $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) CPUs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for v in "$@"; do
    label="${v%%=*}"; rest="${v#*=}"
    one_start "$label" "${rest%%|*}" "${rest#*|}" yes
  done
done
