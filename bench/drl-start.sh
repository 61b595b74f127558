#!/bin/bash
# usage: drl-start.sh <steward.jar> <workspace copy> ; prints the start line's "in N ms" and wall ms
JAR=$1; WS=$2
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
OUT=$(mktemp)
start=$(date +%s%N)
$J -jar "$JAR" serve --home "$WS" --port 0 > "$OUT" 2>&1 &
PID=$!
for i in $(seq 1 600); do
  if grep -q "Steward serving" "$OUT"; then break; fi
  if ! kill -0 $PID 2>/dev/null; then break; fi
  sleep 0.05
done
end=$(date +%s%N)
line=$(grep -o "in [0-9]* ms$" "$OUT")
warn=$(grep -c "trustedDrl" "$OUT")
kill $PID 2>/dev/null; wait $PID 2>/dev/null
echo "wall $(( (end-start)/1000000 )) ms; steward says: $line"
[ -n "$line" ] || cat "$OUT" | head -20
rm -f "$OUT"
