#!/usr/bin/env bash
# What access control adds to a request: bench/AccessLatency.java against the packaged host on a
# copy of the example workspace (bench/with-host.sh).
# Usage: bench/access.sh [WARMUP] [COUNT]
exec "$(dirname "$0")/with-host.sh" AccessLatency "${1:-3000}" "${2:-10000}"
