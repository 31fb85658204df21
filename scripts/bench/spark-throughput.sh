#!/usr/bin/env bash
# Volumes per minute on a local standalone cluster of 1, then 2 workers (1 core each), default model, N phantoms of
# 256 x 256 x 32 (prompt from the label, intra-op threads 1 per executor), and the shared seed's broadcast size and
# time (ThroughputBench). Needs: mvn -B -DskipTests package (spark/target) and mvn -pl spark test-compile.
# Usage: scripts/bench/spark-throughput.sh [N=8]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
n="${1:-8}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PROMPTONCE_SPARK_PORT=7277 PROMPTONCE_SPARK_DIR="$root/spark/target/bench-cluster" SPARK_LOCAL_IP=127.0.0.1
export OMP_WAIT_POLICY=passive
flags="$(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' spark/pom.xml | head -n1)"
trap 'bash scripts/spark-cluster.sh stop >/dev/null 2>&1 || true' EXIT
for w in 1 2; do
  PROMPTONCE_SPARK_WORKERS=$w bash scripts/spark-cluster.sh start >&2
  # shellcheck disable=SC2086
  "$JAVA_HOME/bin/java" $flags -cp "spark/target/test-classes:spark/target/promptonce-spark-app.jar:spark/target/spark-lib/*" \
    io.github.promptonce.spark.ThroughputBench "spark://127.0.0.1:$PROMPTONCE_SPARK_PORT" \
    "$root/spark/target/promptonce-spark-app.jar" "$root/spark/target/bench-data" "$n" "$w" 2>/dev/null | grep '^RESULT'
  bash scripts/spark-cluster.sh stop >&2
done
