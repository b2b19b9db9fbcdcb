#!/usr/bin/env bash
# The Junction perf suite: one command that benchmarks Junction on this machine beside the libraries
# under it (raw Disruptor, raw Aeron IPC/UDP, raw Chronicle Queue, a bare Aeron Cluster echo service) and its
# peers (NATS, RabbitMQ, started here on loopback), and writes perf/results/suite-<date>/report.md with plots,
# CSV/JSON, a capacity plan and summary.md (Junction vs peers, to paste into the README).
#
#   perf/bench.sh [--quick] [--p99-target 50us] [--headroom 0.8] [--only junction,nats] [--out DIR] [--jmh|--no-jmh]
#                 [--sections shared,roundtrip,overload,journal,cluster,shardscaling,corethroughput,jmh] [--estimate] [--rounds N]
#                 [--workloads 1x64,4x1024] [--daemon-config 'key = value; key = value']
#
# Sections, in order: the shared workload (Junction remote = the daemon as a child JVM over loopback TCP,
# Junction embedded, the limits, the peers; 1->1 and 1->4, 64 B and 1 KiB, throughput and latency at fixed
# rates), the round trips of the limits, the overload sweep (regulated vs unregulated), the guaranteed
# (journaled) path vs raw Chronicle Queue appends, the clustered path vs an echo service and failover, and the
# shard-scaling curve (1, 2, 4 ... shards beside as many raw rings, with a model for bigger machines), the core
# throughput on the defaults (one publisher, spinning or parking when full, beside a raw multi-producer ring), and
# the JMH micro-benchmarks (full mode only). The run starts by printing each section's estimated time;
# --estimate prints only that. --only selects targets of the shared workload; --sections runs only the sections named.
#
# --rounds N: only Junction remote and NATS, alternately, N rounds (a fresh server each round; which goes first
# alternates), each round throughput and p99 at 10,000 msg/s per workload with the CPU each server spent per
# message; the report gives the medians and their ratios (remote-rounds.csv every round). --rounds 5 takes about
# 6 minutes. --workloads picks the workloads (subscribers x payload bytes; default 1x64,4x64,1x1024,4x1024).
# --daemon-config adds a second Junction remote target to the rounds, the daemon at its defaults but for those
# config lines (e.g. --daemon-config 'network.inline-shard = true'), so a daemon key is measured off and on, with
# NATS, in the same run; each Junction target gets its own table against NATS.
#
# --quick: under 3 minutes on 2 cores (shorter windows, fewer rates and steps, no target variants, no JMH);
# the full suite: about 16 minutes estimated, under 20. Builds perf/target/benchmarks.jar when it is missing or
# older than the sources. As root with apt-get, installs nats-server and rabbitmq-server when missing;
# otherwise the report says what it skipped and why. Run it on a quiet machine: other load shows in the tails.
set -euo pipefail
if [[ " $* " == *" --help "* || " $* " == *" -h "* ]]; then
  # The comment above is the usage.
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi
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
