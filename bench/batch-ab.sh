#!/bin/bash
# Two builds of `steward batch` side by side: both run at the same time, on N rows and then on
# 1,000 rows, so each sees the same load; prints each one's CPU a record (user + system, every
# thread; the 1,000-row run's CPU subtracted, so start-up is left out). On a shared machine, where
# CPU a record moves with the load by a third from one run to the next, the two figures of one run
# compare; run it again with A and B swapped.
# Usage: bench/batch-ab.sh N DIR_A DIR_B, each DIR holding a build's steward.jar and lib/
# (host/target after mvn -DskipTests package, copied aside). OPTS_A and OPTS_B: each side's JVM
# options (default -Xmx1g), to compare settings of one build (DIR_A = DIR_B).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=$1; A=$2; B=$3
java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
work="$(mktemp -d /tmp/steward-batch-ab.XXXX)"
trap 'rm -rf "$work"' EXIT
"$root/bench/batch-input.sh" "$N" "$work/big.csv"; "$root/bench/batch-input.sh" 1000 "$work/small.csv"
one() { # $1 label $2 build dir $3 csv; writes "cpu_s wall_s" to $work/r.$1
  local opts="${OPTS_A:--Xmx1g}"; [ "${1:0:1}" = b ] && opts="${OPTS_B:--Xmx1g}"
  local ws="$work/ws-$1"; rm -rf "$ws"; mkdir -p "$ws"
  cp -r "$root/steward.yaml" "$root/flows" "$root/rules" "$root/systems" "$root/transforms" "$ws/"
  cp "$3" "$ws/in.csv"
  /usr/bin/time -f "%U %S %e" -o "$work/t.$1" "$java" $opts --enable-native-access=ALL-UNNAMED \
    -cp "$2/steward.jar:$2/lib/*" dev.steward.host.Main batch --home "$ws" --flow crm-customer --input "$ws/in.csv" \
    --chunk 1000 >/dev/null 2>"$work/err.$1" || [ $? -eq 1 ] || { cat "$work/err.$1" >&2; exit 1; }
  tail -1 "$work/t.$1" | awk '{print $1 + $2, $3}' > "$work/r.$1"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
one as "$A" "$work/small.csv" & one bs "$B" "$work/small.csv" & wait
one ab "$A" "$work/big.csv" & one bb "$B" "$work/big.csv" & wait
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
for x in a b; do
  dir=$A; [ "$x" = b ] && dir=$B
  read -r s _ < "$work/r.${x}s"; read -r g w < "$work/r.${x}b"
  opts="${OPTS_A:--Xmx1g}"; [ "$x" = b ] && opts="${OPTS_B:--Xmx1g}"
  awk -v d="$dir ($opts)" -v s="$s" -v g="$g" -v w="$w" -v n="$N" 'BEGIN {
    printf "%s: %.1f s CPU (%.1f s for 1,000 rows), %.1f s wall: %.1f us CPU a record\n", d, g, s, w, (g - s) * 1e6 / (n - 1000) }'
done
