#!/usr/bin/env bash
# Peak and idle RSS of Steward on H2 under bench/e2e.sh's load and drain, with and without the
# launcher's native-memory settings (-XX:TrimNativeHeapInterval=2000, MALLOC_ARENA_MAX=2),
# alternating, ROUNDS pairs. See bench/rss.md.
#
# Usage: bench/rss-ab.sh            (two pairs, about 20 minutes)
#        ROUNDS=1 OUT=/tmp/rss bench/rss-ab.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/steward-rss.XXXXXX")}"
mkdir -p "$OUT"
cores="$(nproc)"
for round in $(seq 1 "${ROUNDS:-2}"); do
  for variant in without with; do
    if [ "$variant" = with ]; then
      arenas=2; trim=2000            # the launcher's defaults
    else
      arenas=$((8 * cores)); trim=0  # glibc's default arenas (8 per core); 0 turns trimming off
    fi
    MALLOC_ARENA_MAX=$arenas SYSTEMS=steward-h2 WARMUP=30 DURATION=30 STARTS=1 \
      JAVA_OPTS="-XX:TrimNativeHeapInterval=$trim" RESULTS="$OUT/$variant-$round.txt" \
      bench/e2e.sh >"$OUT/$variant-$round.log" 2>&1 || { echo "e2e failed: $OUT/$variant-$round.log" >&2; exit 1; }
    printf '%s %s: %s; %s; load %s\n' "$variant" "$round" \
      "$(grep -ho 'idle RSS [0-9]* MB' "$OUT/$variant-$round.log")" \
      "$(grep -ho 'peak RSS [0-9]* MB' "$OUT/$variant-$round.log")" "$(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/summary.txt"
  done
done
echo "results in $OUT"
