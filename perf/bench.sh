#!/usr/bin/env bash
# The Junction perf suite: one command that benchmarks Junction on this machine beside the libraries
# under it (raw Disruptor, raw Aeron IPC/UDP) and its peers (NATS, RabbitMQ, started here on loopback),
# and writes perf/results/suite-<date>/report.md with plots, CSV/JSON and a capacity plan.
#
#   perf/bench.sh [--quick] [--p99-target 50us] [--headroom 0.8] [--only junction,nats] [--out DIR] [--jmh|--no-jmh]
#
# --quick: about 3 minutes on 2 cores; the full suite: under 20. Builds perf/target/benchmarks.jar when it is
# missing or older than the sources. As root with apt-get, installs nats-server and rabbitmq-server when
# missing; otherwise the report says what it skipped and why.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=perf/target/benchmarks.jar
flags_file=perf/target/classes/junction-jvm.properties
if [[ ! -f "$jar" || ! -f "$flags_file" ]] || \
   [[ -n "$(find pom.xml */pom.xml */src/main -newer "$jar" -type f -print -quit 2>/dev/null)" ]]; then
  echo "[bench] building $jar"
  mvn -B -q -pl perf -am package -DskipTests
fi

# The same JVM flags as the tests and bin/junction (io.junction.perf.JvmFlags reads this file from the jar).
read -r -a jvm_flags <<< "$(sed -n 's/^jvm\.flags=//p' "$flags_file")"
exec java "${jvm_flags[@]}" -Xms512m -Xmx2g -Djava.awt.headless=true \
  -cp "$jar" io.junction.perf.suite.BenchSuite "$@"
