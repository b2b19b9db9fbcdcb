#!/usr/bin/env bash
# Before and after in one run: SubscribeRateRun (this branch's harness) on the switch-core of the branch point
# (BASE_JAR first on the class path, so its classes win) and on this branch's, alternating, the load beside each.
#   BASE_JAR: switch-core built at 6bd01c8, e.g.
#     git archive 6bd01c8 | tar -x -C /tmp/base && mvn -B -o -q -f /tmp/base/pom.xml -pl switch-core -DskipTests package
#     BASE_JAR=/tmp/base/switch-core/target/junction-switch-core-0.1.0-SNAPSHOT.jar
#   NEW_JAR: this branch's perf/target/benchmarks.jar (mvn -B -o -q -pl perf -am -DskipTests package)
# Usage: ab.sh BASE_JAR NEW_JAR [pairs] [present] [batch] [rounds] [warm-up rounds]
set -euo pipefail
BASE_JAR=$1; NEW_JAR=$2; PAIRS=${3:-3}; PRESENT=${4:-100000}; BATCH=${5:-20000}; ROUNDS=${6:-30}; WARM=${7:-3}
JVM="--add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED"
for pair in $(seq 1 "$PAIRS"); do
  for variant in before after; do
    if [ "$variant" = before ]; then CP="$BASE_JAR:$NEW_JAR"; else CP="$NEW_JAR"; fi
    echo "== pair $pair, $variant, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
    java $JVM -cp "$CP" io.junction.perf.core.SubscribeRateRun "$PRESENT" "$BATCH" "$ROUNDS" "$WARM"
  done
done
