# Sourced by the vendor examples' run.sh (after they set $root to the repository): finds a JDK,
# builds the fakes' class path, starts background processes that stop on exit or Ctrl-C, and
# waits for Steward to answer /health.

# $java: JAVA_HOME's java (a JDK 25 or 21 under /usr/lib/jvm when JAVA_HOME is unset), else the PATH's.
if [ -z "${JAVA_HOME:-}" ]; then
  for dir in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/*21*; do
    [ -x "$dir/bin/javac" ] && export JAVA_HOME="$dir" && break
  done
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# fake_classpath FILE WHAT: the class path of the testing module (the fakes and Jackson), kept in
# FILE and rebuilt when FILE is missing or older than a file under testing/src.
fake_classpath() {
  local file="$1" what="$2"
  if [ ! -f "$file" ] || [ -n "$(find "$root/testing/src" -newer "$file" -print -quit)" ]; then
    echo "run.sh: building $what (mvn -pl testing compile)..." >&2
    (cd "$root" && mvn -B -q -pl testing compile dependency:build-classpath -Dmdep.outputFile="$file") >&2
    touch "$file"
  fi
  echo "$root/testing/target/classes:$(cat "$file")"
}

# in_background CMD...: runs CMD in the background; it (and its children: the launcher runs java
# as one) is stopped when the script ends or is interrupted.
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill $(pgrep -P "$pid" 2>/dev/null) "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
in_background() {
  "$@" &
  pids+=($!)
}

# await_steward PORT SECONDS: waits until Steward answers /health, or exits the script.
await_steward() {
  for _ in $(seq 1 "$2"); do
    curl -fs "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
    sleep 1
  done
  curl -fs "http://127.0.0.1:$1/health" >/dev/null || { echo "run.sh: Steward did not start" >&2; exit 1; }
}
