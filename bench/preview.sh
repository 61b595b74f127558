#!/usr/bin/env bash
# Rules going live and shadow mode: bench/PreviewTiming.java against the packaged host on a copy
# of the example workspace (bench/with-host.sh).
# Usage: bench/preview.sh [EVENTS] [ROUNDS]
exec "$(dirname "$0")/with-host.sh" PreviewTiming "${1:-1000}" "${2:-10}"
