#!/usr/bin/env bash
# RSS over a long SAM 2 propagation (issue: memory on long volumes). Exports test-tiny if no model is given.
#   scripts/bench/rss-long-volume.sh [MODEL_DIR] [SLICES] [SIZE]
set -euo pipefail
cd "$(dirname "$0")/../.."
JDK=${PROMPTONCE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
MODEL=${1:-bench-models/test-tiny}
if [ ! -f "$MODEL/manifest.json" ]; then
  /usr/bin/python3 models/export.py --arch test-tiny --random-init --seed 3 --out "$MODEL" --force
fi
[ -f jmh/target/benchmarks.jar ] || JAVA_HOME=$JDK mvn -B -q -DskipTests package
exec "$JDK/bin/java" --enable-native-access=ALL-UNNAMED ${RSS_JAVA_OPTS:-} -cp jmh/target/benchmarks.jar \
  io.github.promptonce.jmh.LongVolumeRss "$MODEL" "${2:-1000}" "${3:-128}"
