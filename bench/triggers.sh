#!/bin/bash
# Polling latency of a poll trigger (engine/src/test/java/dev/steward/run/PollLatencyBenchmark.java):
# change in a real H2 ERP table -> event stored, and -> run finished (synced to the CRM).
# usage: bench/triggers.sh [every=10s] [changes=12]     (from the repository root; a few minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -B -q -pl engine -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/steward-engine.cp >&2
cd engine
exec "$JAVA_HOME/bin/java" -cp "target/classes:target/test-classes:../plugins/api/target/classes:../plugins/jdbc/target/classes:$(cat /tmp/steward-engine.cp)" \
  dev.steward.run.PollLatencyBenchmark "${1:-10s}" "${2:-12}"
