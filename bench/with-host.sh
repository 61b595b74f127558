#!/usr/bin/env bash
# Starts the packaged host on a copy of the example workspace (port 0, a throwaway admin token),
# then runs a benchmark program against it: bench/NAME.java PORT TOKEN ARGS...; stops the host.
# Usage: bench/with-host.sh NAME [ARGS...]   (bench/access.sh and bench/preview.sh use it)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
program="$1"; shift
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
jar="$root/host/target/steward.jar"
"$root/steward" --version >/dev/null
work="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
cp -r "$root/steward.yaml" "$root/flows" "$root/rules" "$root/systems" "$root/transforms" "$work/"
export STEWARD_ADMIN_TOKEN="$(openssl rand -hex 32)"
(cd "$work" && exec "$java" --sun-misc-unsafe-memory-access=allow -jar "$jar" serve --home "$work" --port 0 --bind 127.0.0.1) \
  >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 1 600); do
  grep -q " on http://127.0.0.1:" "$work/serve.out" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { tail -20 "$work/serve.err" >&2; exit 1; }
  sleep 0.1
done
port="$(sed -nE 's|.*http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/serve.out" | head -1)"
echo "machine: $(nproc) CPUs, $("$java" -version 2>&1 | head -1)"
"$java" "$root/bench/$program.java" "$port" "$STEWARD_ADMIN_TOKEN" "$@"
