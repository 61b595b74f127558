#!/bin/bash
# CPU per record of `steward batch` against the plain JDBC insert (bench/BatchBaseline.java), H2
# target: the figure that holds on a shared machine, where records/s moves with the load. Each side
# runs twice, on N rows and on 1,000 rows; the difference of their CPU (user + system, all threads,
# from /usr/bin/time) over N - 1,000 is the CPU a record costs once the JVM is up and warm enough.
# Usage: bench/batch-cpu.sh [N]   (default 300000); STEWARD_CP as in bench/batch.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-300000}"
java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
lib="$root/host/target/lib"
work="$(mktemp -d /tmp/steward-batch-cpu.XXXX)"
trap 'rm -rf "$work"' EXIT
if [ -n "${STEWARD_CP:-}" ]; then steward=(-cp "$STEWARD_CP" dev.steward.host.Main); else steward=(-jar "$root/host/target/steward.jar"); fi
"$root/bench/batch-input.sh" "$N" "$work/big.csv"; "$root/bench/batch-input.sh" 1000 "$work/small.csv"
cpu() { # $1 label, rest: command; prints "cpu_s wall_s"
  local t="$work/time.$1"
  /usr/bin/time -f "%U %S %e" -o "$t" "${@:2}" >"$work/out.$1" 2>"$work/err.$1" || [ $? -eq 1 ] || { cat "$work/err.$1" >&2; exit 1; }
  tail -1 "$t" | awk '{printf "%.2f %.2f\n", $1 + $2, $3}'  # exit 1 (rejects) adds a line before
}
run_steward() { # $1 label $2 csv
  local ws="$work/ws-$1"; rm -rf "$ws"; mkdir -p "$ws"
  cp -r "$root/steward.yaml" "$root/flows" "$root/rules" "$root/systems" "$root/transforms" "$ws/"
  cpu "s$1" "$java" -Xmx1g ${STEWARD_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED "${steward[@]}" batch --home "$ws" \
    --flow crm-customer --input "$2" --chunk "${STEWARD_CHUNK:-1000}"
}
run_plain() { # $1 label $2 csv
  rm -rf "$work/plain-$1"; mkdir -p "$work/plain-$1"
  cpu "p$1" "$java" -cp "$lib/*" "$root/bench/BatchBaseline.java" "$2" "jdbc:h2:$work/plain-$1/erp" "" ""
}
read -r s_small _ < <(run_steward small "$work/small.csv")
read -r s_big s_wall < <(run_steward big "$work/big.csv")
read -r p_small _ < <(run_plain small "$work/small.csv")
read -r p_big p_wall < <(run_plain big "$work/big.csv")
awk -v n="$N" -v ss="$s_small" -v sb="$s_big" -v sw="$s_wall" -v ps="$p_small" -v pb="$p_big" -v pw="$p_wall" 'BEGIN {
  s = (sb - ss) * 1e6 / (n - 1000); p = (pb - ps) * 1e6 / (n - 1000);
  printf "steward batch: %d rows, %.1f s CPU (%.1f s for 1,000 rows), %.1f s wall: %.0f us CPU a record, %.0f records/s\n", n, sb, ss, sw, s, n / sw;
  printf "plain JDBC:    %d rows, %.1f s CPU (%.1f s for 1,000 rows), %.1f s wall: %.0f us CPU a record, %.0f rows/s\n", n, pb, ps, pw, p, n / pw;
  printf "CPU a record, steward/plain: %.2f; records/s, steward/plain: %.2f\n", s / p, pw / sw }'
